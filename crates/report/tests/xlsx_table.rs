//! TableWriter: write, read back with calamine, check types and structure.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use zongzhi_report::ReportError;
use zongzhi_report::xlsx::{Cell, CellKind, Column, TableOptions, TableWriter};

fn columns() -> Vec<Column> {
    vec![
        Column::new("案件编号", CellKind::Text),
        Column::new("受理日期", CellKind::Date),
        Column::new("受理时间", CellKind::DateTime),
        Column::new("涉及人数", CellKind::Integer),
        Column::new("涉案金额（元）", CellKind::Money),
        Column::new("化解率", CellKind::Percent),
        Column::new("备注", CellKind::Text).width(30.0),
    ]
}

fn row(i: i64) -> Vec<Cell> {
    let date = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap() + chrono::Duration::days(i % 30);
    vec![
        Cell::from(format!("AJ-2024-{i:06}")),
        Cell::Date(date),
        Cell::DateTime(date.and_hms_opt(9, 30, 0).unwrap()),
        Cell::Int(i % 7),
        Cell::Num(1234.5 + i as f64),
        Cell::Num(0.125),
        Cell::from(None::<String>),
    ]
}

#[test]
fn table_round_trips_with_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.xlsx");
    let mut w =
        TableWriter::create(&path, "案件清单", Some("案件清单（2024年6月）"), columns()).unwrap();
    for i in 0..25 {
        w.write_row(&row(i)).unwrap();
    }
    // A wrong-width row is refused and nothing is written.
    let err = w.write_row(&[Cell::Int(1)]).unwrap_err();
    assert!(matches!(
        err,
        ReportError::RowWidth {
            expected: 7,
            got: 1
        }
    ));
    assert_eq!(w.rows_written(), 25);
    assert_eq!(w.finish().unwrap(), 25);

    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), vec!["案件清单".to_string()]);
    let range = book.worksheet_range("案件清单").unwrap();
    // Title row + header row + 25 data rows.
    assert_eq!(range.height(), 27);
    assert_eq!(
        range.get((0, 0)),
        Some(&Data::String("案件清单（2024年6月）".into()))
    );
    let headers: Vec<_> = (0..7)
        .map(|c| range.get((1, c)).unwrap().to_string())
        .collect();
    assert_eq!(
        headers,
        [
            "案件编号",
            "受理日期",
            "受理时间",
            "涉及人数",
            "涉案金额（元）",
            "化解率",
            "备注"
        ]
    );

    assert_eq!(
        range.get((2, 0)),
        Some(&Data::String("AJ-2024-000000".into()))
    );
    let date = range.get((2, 1)).unwrap();
    assert!(
        date.is_datetime(),
        "date cell reads back as a date: {date:?}"
    );
    match date {
        // 2024-06-01 is Excel serial 45444.
        Data::DateTime(d) => assert_eq!(d.as_f64(), 45444.0),
        other => panic!("not a date: {other:?}"),
    }
    match range.get((2, 2)).unwrap() {
        Data::DateTime(d) => assert!((d.as_f64() - (45444.0 + 9.5 / 24.0)).abs() < 1e-9),
        other => panic!("not a date-time: {other:?}"),
    }
    assert_eq!(range.get((3, 3)), Some(&Data::Float(1.0)));
    assert_eq!(range.get((3, 4)), Some(&Data::Float(1235.5)));
    assert_eq!(range.get((3, 5)), Some(&Data::Float(0.125)));
    assert!(range.get((3, 6)).is_none_or(|d| *d == Data::Empty));
}

#[test]
fn styles_freeze_and_filter_are_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("styled.xlsx");
    let mut w = TableWriter::create(&path, "台账", None, columns()).unwrap();
    for i in 0..3 {
        w.write_row(&row(i)).unwrap();
    }
    w.finish().unwrap();
    let sheet = unzip_entry(&path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<autoFilter ref="A1:G4"/>"#), "{sheet}");
    assert!(sheet.contains(r#"state="frozen""#) && sheet.contains(r#"topLeftCell="A2""#));
    let styles = unzip_entry(&path, "xl/styles.xml");
    for fmt in ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0.0%", "#,##0.00"] {
        assert!(
            styles.contains(&format!(r#"formatCode="{fmt}""#)),
            "missing {fmt}"
        );
    }
    assert!(styles.contains("<b/>"), "bold header font");
}

#[test]
fn odd_values_do_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.xlsx");
    let cols = vec![
        Column::new("值", CellKind::Decimal),
        Column::new("日期", CellKind::Date),
    ];
    let mut w = TableWriter::create(&path, "a/b:c*?", Some(""), cols).unwrap();
    let old = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap();
    w.write_row(&[Cell::Num(f64::NAN), Cell::Date(old)])
        .unwrap();
    w.write_row(&[
        Cell::Int(110_101_199_001_011_234),
        Cell::Text("=1+1".into()),
    ])
    .unwrap();
    w.write_row(&[Cell::Text("字".repeat(40_000)), Cell::Empty])
        .unwrap();
    w.finish().unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let name = book.sheet_names()[0].clone();
    assert_eq!(name, "a_b_c__");
    let range = book.worksheet_range(&name).unwrap();
    assert_eq!(range.get((1, 1)), Some(&Data::String("1850-01-01".into())));
    assert_eq!(
        range.get((2, 0)),
        Some(&Data::String("110101199001011234".into()))
    );
    assert_eq!(range.get((2, 1)), Some(&Data::String("=1+1".into())));
}

#[test]
fn rows_continue_on_new_sheets_past_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("split.xlsx");
    let options = TableOptions {
        max_rows_per_sheet: Some(10),
        tempdir: Some(dir.path().to_path_buf()),
    };
    let mut w =
        TableWriter::create_with_options(&path, "台账", Some("台账"), columns(), options).unwrap();
    for i in 0..25 {
        w.write_row(&row(i)).unwrap();
    }
    assert_eq!(w.finish().unwrap(), 25);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["台账", "台账（2）", "台账（3）"]);
    let heights: Vec<usize> = ["台账", "台账（2）", "台账（3）"]
        .iter()
        .map(|n| book.worksheet_range(n).unwrap().height())
        .collect();
    assert_eq!(heights, [12, 12, 7]);
    let third = book.worksheet_range("台账（3）").unwrap();
    assert_eq!(third.get((1, 0)), Some(&Data::String("案件编号".into())));
    assert_eq!(
        third.get((2, 0)),
        Some(&Data::String("AJ-2024-000020".into()))
    );
}

#[test]
fn large_table_in_constant_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xlsx");
    let n = 200_000;
    let mut w = TableWriter::create(&path, "明细", Some("大台账"), columns()).unwrap();
    let mut cells = row(0);
    for i in 0..n {
        cells[0] = Cell::Text(format!("AJ-{i:08}"));
        cells[3] = Cell::Int(i);
        w.write_row(&cells).unwrap();
    }
    assert_eq!(w.finish().unwrap(), n as u64);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let range = book.worksheet_range("明细").unwrap();
    assert_eq!(range.height(), n as usize + 2);
    assert_eq!(
        range.get((n as usize + 1, 3)),
        Some(&Data::Float((n - 1) as f64))
    );
}

#[test]
fn writer_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<TableWriter>();
}

#[test]
fn no_columns_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = TableWriter::create(dir.path().join("x.xlsx"), "x", None, vec![]).unwrap_err();
    assert!(matches!(err, ReportError::InvalidTable(_)));
}

/// Reads one part of the xlsx (zip) package as text.
fn unzip_entry(path: &std::path::Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut entry = zip.by_name(name).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut entry, &mut s).unwrap();
    s
}
