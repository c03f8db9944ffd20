//! Percentiles and the printed table.

use std::time::Duration;

/// The `p`-th percentile (0–100) of `samples`, nearest rank.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// One printed line: operation, ours, raw reference, ratio (ours ÷ raw in cost).
pub struct Row {
    pub operation: String,
    pub ours: String,
    pub raw: String,
    pub ratio: Option<f64>,
    pub note: String,
}

/// Prints the rows as a table.
pub fn print(title: &str, rows: &[Row]) {
    let w = rows
        .iter()
        .map(|r| r.operation.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    println!();
    println!("{title}");
    println!(
        "{:<w$}  {:>26}  {:>26}  {:>7}",
        "operation", "ours", "raw reference", "ratio"
    );
    for r in rows {
        let ratio = r
            .ratio
            .map_or_else(|| "-".to_owned(), |x| format!("{x:.2}x"));
        println!(
            "{:<w$}  {:>26}  {:>26}  {:>7}  {}",
            r.operation, r.ours, r.raw, ratio, r.note
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&mut v, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&mut v, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&mut [], 50.0), Duration::ZERO);
    }
}
