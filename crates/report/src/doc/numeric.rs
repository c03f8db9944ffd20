//! Turns a pre-formatted numeric string back into a number and a matching Excel format.

use crate::xlsx::MAX_EXACT_INT;

/// A parsed numeric cell: the value to store and the Excel format reproducing the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Numeric {
    pub value: f64,
    pub format: String,
}

/// Parses `"1,234"`, `"-3.50"`, `"12.5%"`, `"+4.0%"`, `"¥1,200.00"`; `None` for anything
/// else (`"—"`, `"12 件"`, empty, or integers too long for Excel to keep exactly).
pub(crate) fn parse(text: &str) -> Option<Numeric> {
    let mut s = text.trim();
    let mut currency = "";
    for sym in ["¥", "￥"] {
        if let Some(rest) = s.strip_prefix(sym) {
            s = rest.trim_start();
            currency = "¥";
        }
    }
    let (s, percent) = match s.strip_suffix('%').or_else(|| s.strip_suffix('％')) {
        Some(rest) => (rest.trim_end(), true),
        None => (s, false),
    };
    let plus = s.starts_with('+');
    let body = s.strip_prefix(['+', '-', '−']).unwrap_or(s);
    let negative = s.starts_with(['-', '−']);
    if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let grouped = body.contains(',');
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if !valid_int_part(int_part, grouped)
        || frac_part.is_some_and(|f| !f.chars().all(|c| c.is_ascii_digit()) || f.is_empty())
    {
        return None;
    }
    let digits: String = int_part.chars().filter(|c| *c != ',').collect();
    let decimals = frac_part.map_or(0, str::len);
    if digits.len() > MAX_EXACT_INT.to_string().len() {
        return None;
    }
    let plain = match frac_part {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    let mut value: f64 = plain.parse().ok()?;
    if negative {
        value = -value;
    }
    if percent {
        value /= 100.0;
    }
    let mut pattern = String::from(if grouped { "#,##0" } else { "0" });
    if decimals > 0 {
        pattern.push('.');
        pattern.push_str(&"0".repeat(decimals.min(10)));
    }
    if percent {
        pattern.push('%');
    }
    let pattern = format!("{currency}{pattern}");
    let format = if plus {
        format!("+{pattern};-{pattern};{pattern}")
    } else {
        pattern
    };
    Some(Numeric { value, format })
}

/// Digits, optionally grouped by commas in threes (`1,234,567`).
fn valid_int_part(s: &str, grouped: bool) -> bool {
    if s.is_empty() {
        return false;
    }
    if !grouped {
        return s.chars().all(|c| c.is_ascii_digit());
    }
    let mut groups = s.split(',');
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.chars().all(|c| c.is_ascii_digit()));
    first_ok && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<(f64, String)> {
        parse(s).map(|n| (n.value, n.format))
    }

    #[test]
    fn parses_common_shapes() {
        assert_eq!(p("1,234"), Some((1234.0, "#,##0".into())));
        assert_eq!(p("42"), Some((42.0, "0".into())));
        assert_eq!(p("-3.50"), Some((-3.5, "0.00".into())));
        assert_eq!(p("12.5%"), Some((0.125, "0.0%".into())));
        assert_eq!(p("+4.0%"), Some((0.04, "+0.0%;-0.0%;0.0%".into())));
        assert_eq!(p("¥1,200.00"), Some((1200.0, "¥#,##0.00".into())));
    }

    #[test]
    fn rejects_non_numbers() {
        for s in [
            "",
            "—",
            "-",
            "12 件",
            "1,23",
            "1.2.3",
            "abc",
            "1.",
            ".5",
            "110101199001011234",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }
}
