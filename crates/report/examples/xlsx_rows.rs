//! Prints the first sheet of an XLSX as JSON, read with calamine: `{"frozen": n, "rows":
//! [[cell, …], …]}` (every cell as text; `frozen` = header rows frozen by the sheet view).
//! The browser tests read downloaded ledgers back with it.
//!
//!     cargo run -q -p zongzhi-report --example xlsx_rows -- FILE.xlsx

use std::io::Read as _;

use anyhow::Context as _;
use calamine::{Data, Reader, Xlsx, open_workbook};

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: xlsx_rows FILE.xlsx")?;
    let mut wb: Xlsx<_> = open_workbook(&path).with_context(|| format!("opening {path}"))?;
    let sheet = wb
        .worksheet_range_at(0)
        .context("the workbook has no sheet")??;
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(text).collect()).collect();
    let json = serde_json::json!({ "frozen": frozen_rows(&path)?, "rows": rows });
    println!("{json}");
    Ok(())
}

/// A cell as text: dates as ISO dates or times, numbers without a trailing `.0`.
fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(dt) => serial_to_text(dt.as_f64()),
        other => other.to_string(),
    }
}

/// An Excel date serial (days since 1899-12-30, fraction = time of day) as ISO text.
fn serial_to_text(serial: f64) -> String {
    let secs = (serial * 86_400.0).round() as i64;
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.checked_add_signed(chrono::Duration::seconds(secs)))
        .map(|t| {
            if secs % 86_400 == 0 {
                t.format("%Y-%m-%d").to_string()
            } else {
                t.format("%Y-%m-%d %H:%M:%S").to_string()
            }
        })
        .unwrap_or_else(|| serial.to_string())
}

/// Rows frozen above the split (`ySplit` of the first sheet's pane); calamine does not
/// read sheet views.
fn frozen_rows(path: &str) -> anyhow::Result<u32> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path)?)?;
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")?
        .read_to_string(&mut xml)?;
    let split = xml
        .split("ySplit=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0);
    Ok(split as u32)
}
