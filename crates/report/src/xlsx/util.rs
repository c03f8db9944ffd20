//! Small helpers shared by the XLSX writers.

use rust_xlsxwriter::ExcelDateTime;

/// Excel's hard limit on characters in one cell.
pub(crate) const MAX_CELL_CHARS: usize = 32_767;
/// Excel's hard limit on rows in one worksheet.
pub(crate) const MAX_SHEET_ROWS: u32 = 1_048_576;
/// Excel's hard limit on columns in one worksheet.
pub(crate) const MAX_SHEET_COLS: usize = 16_384;
/// Largest integer magnitude written as a number: Excel shows 15 significant digits,
/// anything longer (identity numbers, long ids) is silently rounded, so it goes out as text.
pub(crate) const MAX_EXACT_INT: i64 = 999_999_999_999_999;

/// Width of `s` in Excel "character" units: CJK and full-width characters count double.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Whether a character is drawn double-width (CJK ideographs, kana, hangul, full-width forms).
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// Cuts `s` to what one Excel cell can hold, marking the cut with an ellipsis.
pub(crate) fn clip_cell_text(s: &str) -> std::borrow::Cow<'_, str> {
    // Excel counts UTF-16 code units; stay well inside the limit by counting chars and
    // leaving room for astral characters (2 units each).
    let limit = MAX_CELL_CHARS / 2;
    match s.char_indices().nth(limit) {
        None => std::borrow::Cow::Borrowed(s),
        Some((idx, _)) => {
            let mut out = String::with_capacity(idx + 3);
            out.push_str(&s[..idx]);
            out.push('…');
            std::borrow::Cow::Owned(out)
        }
    }
}

/// Makes a legal, unique-enough worksheet name: at most 31 characters, none of `[]:*?/\`,
/// not starting or ending with an apostrophe, never empty.
pub(crate) fn sheet_name(name: &str, suffix: Option<u32>) -> String {
    let suffix = suffix.map(|n| format!("（{n}）")).unwrap_or_default();
    let room = 31usize.saturating_sub(suffix.chars().count());
    let mut base: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(room)
        .collect();
    let trimmed = base.trim_matches('\'').trim();
    if trimmed.is_empty() {
        base = "Sheet".to_string();
    } else if trimmed.len() != base.len() {
        base = trimmed.to_string();
    }
    base.push_str(&suffix);
    base
}

/// Converts a calendar date to an Excel date, or `None` outside Excel's range (1900–9999).
pub(crate) fn excel_date(date: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let year = u16::try_from(date.year()).ok()?;
    if !(1900..=9999).contains(&year) {
        return None;
    }
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

/// Converts a local date-time to an Excel date-time, or `None` outside Excel's range.
pub(crate) fn excel_datetime(dt: chrono::NaiveDateTime) -> Option<ExcelDateTime> {
    use chrono::Timelike;
    let seconds = f64::from(dt.second()) + f64::from(dt.nanosecond().min(999_999_999)) / 1e9;
    excel_date(dt.date())?
        .and_hms(dt.hour() as u16, dt.minute() as u8, seconds)
        .ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal() {
        assert_eq!(sheet_name("案件/清单", None), "案件_清单");
        assert_eq!(sheet_name("", None), "Sheet");
        assert_eq!(sheet_name("'x'", Some(2)), "x（2）");
        let long = "很".repeat(40);
        assert_eq!(sheet_name(&long, Some(12)).chars().count(), 31);
    }

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(display_width("案件ab"), 6);
    }

    #[test]
    fn long_text_is_clipped() {
        let s = "字".repeat(40_000);
        let clipped = clip_cell_text(&s);
        assert!(clipped.chars().count() <= MAX_CELL_CHARS);
        assert!(clipped.ends_with('…'));
        assert_eq!(clip_cell_text("短"), "短");
    }

    #[test]
    fn dates_outside_excel_range_are_rejected() {
        let d = chrono::NaiveDate::from_ymd_opt(1899, 12, 31).unwrap();
        assert!(excel_date(d).is_none());
        let d = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert!(excel_date(d).is_some());
    }
}
