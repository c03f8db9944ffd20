//! Report document: XLSX round trip and PDF structure.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Read;

use calamine::{Data, Reader, Xlsx, open_workbook};
use zongzhi_report::{Kpi, ReportDoc, Section, Table, render_pdf, render_pdf_bytes, render_xlsx};

const STREETS: [&str; 6] = [
    "城关街道",
    "东城街道",
    "西关街道",
    "南湖街道",
    "北山镇",
    "新城区管委会",
];

/// A 日报 with KPIs, narrative and a 60-row table (long enough for a second page).
fn sample_doc(rows: usize) -> ReportDoc {
    let mut cases = Table::new([
        "序号",
        "案件编号",
        "所属街道",
        "矛盾类型",
        "受理时间",
        "涉及人数",
        "涉案金额（元）",
        "办理状态",
    ])
    .caption("表2 当日新增矛盾纠纷明细")
    .numeric([0, 5, 6])
    .note("注：数据截至 2024 年 6 月 1 日 24 时，金额为当事人申报数。");
    let kinds = [
        "婚姻家庭纠纷",
        "邻里纠纷",
        "物业纠纷",
        "劳动争议（拖欠农民工工资）",
        "土地承包纠纷",
    ];
    let states = ["已受理", "调解中", "已化解", "已移交"];
    for i in 0..rows {
        cases = cases.row([
            (i + 1).to_string(),
            format!("AJ-20240601-{:04}", i + 1),
            STREETS[i % STREETS.len()].to_string(),
            kinds[i % kinds.len()].to_string(),
            format!("2024-06-01 {:02}:{:02}", 8 + i % 10, (i * 7) % 60),
            ((i % 5) + 1).to_string(),
            format_money(1_200.0 * (i as f64 + 1.0) + 0.5),
            states[i % states.len()].to_string(),
        ]);
    }
    let mut by_street = Table::new(["街道（乡镇）", "新增", "已化解", "化解率", "环比"])
        .caption("表1 各街道矛盾纠纷化解情况")
        .numeric([1, 2, 3, 4])
        .with_total_row();
    for (i, s) in STREETS.iter().enumerate() {
        by_street = by_street.row([
            s.to_string(),
            (20 + i).to_string(),
            (15 + i).to_string(),
            format!("{:.1}%", 75.0 + i as f64),
            format!("{:+.1}%", i as f64 * 2.5 - 5.0),
        ]);
    }
    by_street = by_street.row(["合计", "135", "105", "77.8%", "+1.2%"]);
    ReportDoc {
        title: "综治中心日报".into(),
        org_name: "某某区社会治安综合治理中心".into(),
        period_label: "2024年6月1日".into(),
        generated_at_label: "2024-06-02 08:00".into(),
        sections: vec![
            Section::new("一、总体情况")
                .kpi(Kpi::new("新增矛盾纠纷", "135 件").note("环比 +12.3%"))
                .kpi(Kpi::new("已化解", "105 件").note("化解率 77.8%"))
                .kpi(Kpi::new("重点人员走访", "1,286 人次"))
                .kpi(Kpi::new("网格事件上报", "2,034 件").note("较上周同期 -3.1%"))
                .paragraph(
                    "6月1日，全区各级综治中心共受理矛盾纠纷135件，同比上升12.3%。其中婚姻家庭纠纷、邻里纠纷占比较高，\
                     劳动争议主要集中在建筑工地拖欠农民工工资问题。各街道按照“小事不出村、大事不出镇、矛盾不上交”的要求，\
                     当日化解105件，化解率77.8%。",
                )
                .paragraph("今日无重大群体性事件，无越级上访。"),
            Section::new("二、分街道情况").table(by_street),
            Section::new("三、新增案件明细").table(cases),
            Section::new("四、下一步工作").paragraph(
                "一是持续开展矛盾纠纷排查化解专项行动；二是对调解中案件逐件落实包案责任人，限期办结；\
                 三是加强与人社、住建部门联动，集中处置欠薪类纠纷（Wage arrears, case AJ-20240601-0004 等）。",
            ),
        ],
    }
}

fn format_money(v: f64) -> String {
    let whole = v.trunc() as i64;
    let cents = ((v - v.trunc()) * 100.0).round() as i64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{grouped}.{cents:02}")
}

#[test]
fn report_xlsx_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("daily.xlsx");
    render_xlsx(&sample_doc(12), &path).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["报告"]);
    let range = book.worksheet_range("报告").unwrap();
    assert_eq!(
        range.get((0, 0)),
        Some(&Data::String("综治中心日报".into()))
    );
    let meta = range.get((1, 0)).unwrap().to_string();
    assert!(
        meta.contains("统计周期：2024年6月1日") && meta.contains("生成时间：2024-06-02 08:00"),
        "{meta}"
    );

    let find = |text: &str| {
        range
            .cells()
            .find(|(_, _, d)| **d == Data::String(text.into()))
            .map(|(r, c, _)| (r, c))
            .unwrap_or_else(|| panic!("{text} not found"))
    };
    find("一、总体情况");
    let (r, c) = find("新增矛盾纠纷");
    // KPI values are text unless purely numeric ("135 件").
    assert_eq!(range.get((r, c + 1)), Some(&Data::String("135 件".into())));

    // Street table: numeric columns are numbers, percentages are fractions.
    let (r, c) = find("城关街道");
    assert_eq!(range.get((r, c + 1)), Some(&Data::Float(20.0)));
    assert_eq!(range.get((r, c + 3)), Some(&Data::Float(0.75)));
    assert_eq!(range.get((r, c + 4)), Some(&Data::Float(-0.05)));
    let (r, c) = find("合计");
    assert_eq!(range.get((r, c + 1)), Some(&Data::Float(135.0)));

    // Case table: money parsed, ids and times stay text.
    let (r, c) = find("AJ-20240601-0001");
    assert_eq!(range.get((r, c - 1)), Some(&Data::Float(1.0)));
    assert_eq!(range.get((r, c + 5)), Some(&Data::Float(1200.5)));
    assert_eq!(
        range.get((r, c + 3)),
        Some(&Data::String("2024-06-01 08:00".into()))
    );
}

/// Total page count from the page tree (`/Type/Pages … /Count N`).
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf).replace("/Type /Pages", "/Type/Pages");
    let at = text.find("/Type/Pages").expect("page tree");
    let tail = &text[at..];
    let count = tail[tail.find("/Count").expect("count") + 6..].trim_start();
    count
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Every flate stream in the file, inflated (best effort).
fn inflated_streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = find(&pdf[pos..], b"stream\n").map(|i| pos + i + 7) {
        let Some(end) = find(&pdf[start..], b"endstream").map(|i| start + i) else {
            break;
        };
        let mut data = Vec::new();
        if flate2::read::ZlibDecoder::new(&pdf[start..end])
            .read_to_end(&mut data)
            .is_ok()
        {
            out.push(data);
        }
        pos = end + b"endstream".len();
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn pdf_is_paged_and_embeds_the_font() {
    let pdf = render_pdf_bytes(&sample_doc(60)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        page_count(&pdf) >= 3,
        "60-row table spills over: {} pages",
        page_count(&pdf)
    );
    assert!(
        find(&pdf, b"/FontFile2").is_some(),
        "TrueType font program embedded"
    );
    assert!(find(&pdf, b"WenQuanYi").is_some(), "font named in the PDF");
    assert!(find(&pdf, b"/ToUnicode").is_some());
    // The ToUnicode map covers the Chinese text drawn (综 = U+7EFC, 治 = U+6CBB).
    let cmaps: Vec<String> = inflated_streams(&pdf)
        .into_iter()
        .map(|s| String::from_utf8_lossy(&s).into_owned())
        .filter(|s| s.contains("begincmap"))
        .collect();
    assert!(!cmaps.is_empty(), "a ToUnicode CMap stream");
    let all = cmaps.concat().to_uppercase();
    assert!(
        all.contains("<7EFC>") && all.contains("<6CBB>"),
        "CJK code points mapped"
    );
    // The subset is far smaller than the 5 MB collection.
    assert!(pdf.len() < 1_500_000, "font is subset: {} bytes", pdf.len());
}

#[test]
fn pdf_text_extracts_when_poppler_is_installed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("daily.pdf");
    render_pdf(&sample_doc(60), &path).unwrap();
    let Ok(out) = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    else {
        eprintln!("pdftotext not installed; skipping text extraction check");
        return;
    };
    assert!(out.status.success());
    // pdftotext drops or inserts spaces around CJK text: compare without whitespace.
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect();
    for needle in [
        "综治中心日报",
        "统计周期：2024年6月1日",
        "新增矛盾纠纷",
        "表2 当日新增矛盾纠纷明细（续）",
        "AJ-20240601-0060",
        "第1页共",
    ] {
        let needle: String = needle.split_whitespace().collect();
        assert!(
            text.contains(&needle),
            "missing {needle:?} in extracted text"
        );
    }
}

#[test]
fn empty_and_degenerate_documents_render() {
    let doc = ReportDoc::new("");
    assert!(render_pdf_bytes(&doc).unwrap().starts_with(b"%PDF"));
    let doc = ReportDoc {
        title: "空表".into(),
        sections: vec![
            Section::new("").table(Table::new(["甲"])),
            Section::new("无列").table(Table::default()),
            Section::new("超长单元格")
                .table(Table::new(["说明"]).row(["很长的文字。".repeat(2_000)])),
        ],
        ..ReportDoc::default()
    };
    let pdf = render_pdf_bytes(&doc).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    render_xlsx(&doc, dir.path().join("x.xlsx")).unwrap();
}

/// `ZZ_REPORT_SAMPLE=1 cargo test -p zongzhi-report --test report_doc write_sample` writes
/// /tmp/report-sample.pdf (and .xlsx) for a visual check.
#[test]
fn write_sample() {
    if std::env::var_os("ZZ_REPORT_SAMPLE").is_none() {
        return;
    }
    let doc = sample_doc(60);
    render_pdf(&doc, "/tmp/report-sample.pdf").unwrap();
    render_xlsx(&doc, "/tmp/report-sample.xlsx").unwrap();
}
