//! Line breaking by measured glyph advances.
//!
//! Chinese may break between any two characters, except that closing punctuation never
//! starts a line and opening punctuation never ends one (a light 禁则). Runs of Latin
//! letters and digits stay together unless a run alone is wider than the line.

use super::font::Face;

/// Characters that must not start a line.
fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '》'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '”'
            | '’'
            | '…'
            | '·'
            | '%'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '〉'
            | '—'
    )
}

/// Characters that must not end a line.
fn no_break_after(c: char) -> bool {
    matches!(
        c,
        '（' | '《' | '「' | '『' | '【' | '〔' | '“' | '‘' | '(' | '[' | '{' | '〈' | '¥' | '￥'
    )
}

/// Characters that join with neighbours into one unbreakable word.
fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !crate::xlsx::is_wide(c)
}

/// Splits `text` into units that may not be broken internally (a break may occur before
/// each unit).
fn units(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if let Some(p) = prev {
            let joined = c.is_whitespace()
                || no_break_before(c)
                || no_break_after(p)
                || (is_word_char(p) && is_word_char(c) && !matches!(p, '-' | '/'));
            if !joined {
                out.push(&text[start..i]);
                start = i;
            }
        }
        prev = Some(c);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Wraps `text` into lines no wider than `width` points at `size` points. The first line
/// may have a different width (`first_width`, for an indent). A `\n` forces a break.
/// Always returns at least one (possibly empty) line.
pub(crate) fn wrap(
    face: &Face,
    text: &str,
    size: f32,
    first_width: f32,
    width: f32,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for hard in text.split('\n') {
        let hard: String = hard.chars().filter(|c| !c.is_control()).collect();
        let mut line = String::new();
        let mut line_w = 0.0f32;
        let limit = |lines: &Vec<String>| if lines.is_empty() { first_width } else { width };
        for unit in units(&hard) {
            let unit_w = face.width(unit, size);
            if line_w + unit_w <= limit(&lines) + 0.01 {
                line.push_str(unit);
                line_w += unit_w;
                continue;
            }
            // Trailing spaces may hang past the margin.
            if unit.trim().is_empty() {
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                line_w = 0.0;
            }
            let unit = unit.trim_start();
            if face.width(unit, size) <= limit(&lines) + 0.01 {
                line.push_str(unit);
                line_w = face.width(unit, size);
                continue;
            }
            // A unit wider than a whole line: break it between characters.
            for c in unit.chars() {
                let w = face.char_width(c, size);
                if line_w + w > limit(&lines) + 0.01 && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += w;
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::pdf::font::face;

    #[test]
    fn chinese_breaks_anywhere_within_width() {
        let face = face().unwrap();
        let text =
            "综治中心今日共受理矛盾纠纷一百二十八件，其中已化解九十六件，化解率百分之七十五。";
        let lines = wrap(face, text, 10.0, 100.0, 100.0);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(face.width(l, 10.0) <= 100.01, "{l}");
            assert!(!l.starts_with('，') && !l.starts_with('。'), "{l}");
        }
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn latin_words_stay_whole() {
        let face = face().unwrap();
        let lines = wrap(face, "编号 AJ-20240601-0001 已办结", 10.0, 80.0, 80.0);
        assert!(lines.iter().any(|l| l.contains("AJ-")), "{lines:?}");
        assert!(lines.iter().all(|l| face.width(l, 10.0) <= 80.01));
    }

    #[test]
    fn newline_forces_break_and_empty_gives_one_line() {
        let face = face().unwrap();
        assert_eq!(wrap(face, "甲\n乙", 10.0, 100.0, 100.0), vec!["甲", "乙"]);
        assert_eq!(wrap(face, "", 10.0, 100.0, 100.0), vec![String::new()]);
    }

    #[test]
    fn very_long_word_is_split() {
        let face = face().unwrap();
        let word = "x".repeat(200);
        let lines = wrap(face, &word, 10.0, 50.0, 50.0);
        assert!(lines.len() > 5);
        assert_eq!(lines.concat(), word);
    }
}
