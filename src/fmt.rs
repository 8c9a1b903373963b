//! The one place numbers are turned into text for people.
//!
//! Stored values are never rounded; these functions are for display only, so a
//! figure prints the same in the HTML pack, the terminal and key findings.

use crate::metric::{Kind, Metric};

/// A number as plainly as it can be written: `12`, `24.5`, `0.6402...`.
/// Whole numbers lose their `.0`, and binary noise is dropped (`7.000000000000001`
/// is `7`, `56.99999999999999` is `57`): 12 significant digits are kept,
/// far more than any count, percentage or ratio carries. Used for CSV output
/// and messages.
pub fn plain_number(n: f64) -> String {
    if !n.is_finite() || n == 0.0 {
        return format!("{}", if n == 0.0 { 0.0 } else { n });
    }
    let digits = 12 - 1 - n.abs().log10().floor() as i32;
    let n = if (0..=300).contains(&digits) {
        let s = format!("{:.*}", digits as usize, n);
        s.parse::<f64>().unwrap_or(n)
    } else {
        n
    };
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A text cell for a CSV file a person may open in a spreadsheet: a cell
/// beginning with `=`, `+`, `-`, `@`, tab or carriage return would be run as
/// a formula, so it gets a leading `'` (OWASP, "CSV injection"). Numbers,
/// negative ones included, are left as they are.
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && cell.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A percentage to one decimal place: `18.4%`.
pub fn pct1(p: f64) -> String {
    format!("{:.1}%", round_half_away(p, 1))
}

/// A percentage to one decimal place without the sign: `18.4`.
pub fn num1(p: f64) -> String {
    format!("{:.1}", round_half_away(p, 1))
}

/// A ratio to two decimals, as WRES reports print relative likelihoods: `0.64`.
pub fn ratio2(r: f64) -> String {
    format!("{:.2}", round_half_away(r, 2))
}

/// A count with thousands separators: `1,062`.
pub fn count(n: f64) -> String {
    let v = n.round() as i64;
    let s = v.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if v < 0 { format!("-{out}") } else { out }
}

/// A number to `dp` decimals, rounding half away from zero.
pub fn fixed(v: f64, dp: usize) -> String {
    format!("{:.*}", dp, round_half_away(v, dp as i32))
}

/// A difference with its sign, as a change is written: `+2.4`, `-2.4`, and
/// `0.0` (no sign) when it rounds to nothing. The minus is the hyphen-minus
/// every other figure in the packs prints.
pub fn signed(d: f64, dp: usize) -> String {
    let r = round_half_away(d, dp as i32);
    let s = format!("{r:.dp$}");
    if r > 0.0 { format!("+{s}") } else { s }
}

/// A value with its metric's display (kind and decimals from the catalogue):
/// ratios `0.64`, counts `1,062`, percentages `18.4%`, points `+14.6 pp`.
pub fn metric_value(metric: Metric, v: f64) -> String {
    metric_value_at(metric, v, metric.decimals())
}

/// `metric_value` at `dp` decimals (see `decimals_beside`).
pub fn metric_value_at(metric: Metric, v: f64, dp: usize) -> String {
    match metric.kind() {
        Kind::RelativeLikelihood => fixed(v, dp),
        Kind::Count if dp == 0 => count(v),
        Kind::Count => fixed(v, dp),
        Kind::Gap | Kind::BoardDiff => format!("{} pp", signed(v, dp)),
        Kind::Proportion | Kind::SurveyPct => format!("{}%", fixed(v, dp)),
    }
}

/// `metric_value` with enough decimals that the printed figure lies on the same
/// side of every reference as the value does (see `decimals_beside`).
pub fn metric_value_beside(metric: Metric, v: f64, refs: &[f64]) -> String {
    metric_value_at(metric, v, decimals_beside(v, metric.decimals(), refs))
}

/// The decimals (from `dp`, at most `dp + 4`) at which `v` prints on the same
/// side of every reference as it lies: a figure judged on its value must not
/// print as the threshold it was judged against. 0.7996 is flagged below the
/// parity band's 0.80, so it prints `0.7996`, not `0.80`; an interval bound of
/// 1.0004 judged to exclude 1 prints `1.0004`. References that are not finite
/// are ignored.
pub fn decimals_beside(v: f64, dp: usize, refs: &[f64]) -> usize {
    if !v.is_finite() {
        return dp;
    }
    (dp..=dp + 4)
        .find(|&d| {
            let shown = round_half_away(v, d as i32);
            refs.iter()
                .filter(|r| r.is_finite())
                .all(|r| shown.partial_cmp(r) == v.partial_cmp(r))
        })
        .unwrap_or(dp + 4)
}

/// A count with its noun, singular for one: `1 trust`, `1,062 trusts`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n as f64), if n == 1 { one } else { many })
}

/// Optional values print as an en dash, as in trust reports.
pub fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "–".to_string(), f)
}

/// Rounds half away from zero (Excel's ROUND), so 0.125 -> 0.13 and reports agree
/// with spreadsheets; Rust's `{:.2}` alone rounds half to even on the binary value.
pub fn round_half_away(v: f64, dp: i32) -> f64 {
    let m = 10f64.powi(dp);
    let scaled = v * m;
    // Nudge by a relative epsilon so values like 2.675 (stored as 2.67499...) round up.
    let nudged = scaled + scaled.signum() * scaled.abs() * 1e-12;
    let r = nudged.round() / m;
    // -0.04 to one decimal is 0, not -0 (which prints "-0.0").
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_rounds_to_zero_prints_without_a_sign() {
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(pct1(-0.04), "0.0%");
        assert_eq!(ratio2(-0.004), "0.00");
        assert_eq!(fixed(-0.05, 1), "-0.1");
    }

    #[test]
    fn changes_carry_their_sign_and_none_when_nothing_changed() {
        assert_eq!(signed(2.44, 1), "+2.4");
        assert_eq!(signed(-2.45, 1), "-2.5");
        assert_eq!(signed(0.04, 1), "0.0");
        assert_eq!(signed(-0.04, 1), "0.0");
        assert_eq!(signed(0.005, 2), "+0.01");
    }

    #[test]
    fn csv_cells_that_would_run_as_formulas_are_neutralised() {
        assert_eq!(
            csv_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("+1+cmd"), "'+1+cmd");
        assert_eq!(csv_safe("-3.5"), "-3.5");
        assert_eq!(csv_safe("RV9"), "RV9");
    }

    #[test]
    fn plain_numbers_drop_binary_noise_but_keep_real_digits() {
        assert_eq!(plain_number(0.07 * 100.0), "7");
        assert_eq!(plain_number(0.57 * 100.0), "57");
        assert_eq!(plain_number(24.5), "24.5");
        assert_eq!(plain_number(1062.0), "1062");
        assert_eq!(plain_number(0.640234567891), "0.640234567891");
        assert_eq!(plain_number(-3.0), "-3");
        assert_eq!(plain_number(0.0), "0");
        assert_eq!(plain_number(-0.0), "0");
        assert_eq!(plain_number(f64::INFINITY), "inf");
    }

    #[test]
    fn a_figure_prints_on_the_side_of_the_threshold_it_was_judged_against() {
        assert_eq!(decimals_beside(0.7996, 2, &[0.80, 1.25]), 4);
        assert_eq!(
            metric_value_beside(Metric::Ind2RelativeLikelihood, 0.7996, &[0.8, 1.25]),
            "0.7996"
        );
        assert_eq!(
            metric_value_beside(Metric::Ind2RelativeLikelihood, 1.2504, &[0.8, 1.25]),
            "1.2504"
        );
        assert_eq!(
            metric_value_beside(Metric::Ind2RelativeLikelihood, 1.0004, &[1.0]),
            "1.0004"
        );
        // Far from every threshold, or on one exactly: the usual two decimals.
        assert_eq!(
            metric_value_beside(Metric::Ind2RelativeLikelihood, 0.64, &[0.8, 1.25]),
            "0.64"
        );
        assert_eq!(
            metric_value_beside(Metric::Ind2RelativeLikelihood, 0.8, &[0.8, 1.25]),
            "0.80"
        );
        assert_eq!(
            metric_value_beside(Metric::Ind2RelativeLikelihood, 0.805, &[0.8, 1.25]),
            "0.81"
        );
        // 0.8049 rounds to 0.80, the edge: three decimals show it is above.
        assert_eq!(
            metric_value_beside(Metric::Ind2RelativeLikelihood, 0.8049, &[0.8]),
            "0.805"
        );
        assert_eq!(
            metric_value_beside(Metric::Ind2RelativeLikelihood, f64::INFINITY, &[0.8]),
            "inf"
        );
        assert_eq!(decimals_beside(0.8, 2, &[f64::NAN]), 2);
    }

    #[test]
    fn counts_take_the_singular_for_one() {
        assert_eq!(counted(1, "trust", "trusts"), "1 trust");
        assert_eq!(counted(0, "trust", "trusts"), "0 trusts");
        assert_eq!(counted(1062, "file", "files"), "1,062 files");
    }

    #[test]
    fn formats() {
        assert_eq!(plain_number(12.0), "12");
        assert_eq!(plain_number(24.5), "24.5");
        assert_eq!(pct1(18.4), "18.4%");
        assert_eq!(pct1(4.721), "4.7%");
        assert_eq!(ratio2(0.64025), "0.64");
        assert_eq!(ratio2(0.125), "0.13");
        assert_eq!(ratio2(2.675), "2.68");
        assert_eq!(count(1062.0), "1,062");
        assert_eq!(count(1234567.0), "1,234,567");
        assert_eq!(count(999.0), "999");
        assert_eq!(metric_value(Metric::Ind8GapPp, 14.6), "+14.6 pp");
        assert_eq!(metric_value(Metric::Ind8GapPp, 0.04), "0.0 pp");
        assert_eq!(metric_value(Metric::Ind9DiffPp, -4.721), "-4.7 pp");
        assert_eq!(metric_value(Metric::Ind2RelativeLikelihood, 1.5), "1.50");
        assert_eq!(metric_value(Metric::Ind1ParityGap, 1062.0), "1,062");
        assert_eq!(metric_value(Metric::Ind3DisciplinaryPct, 0.6273), "0.63%");
        assert_eq!(opt(None, pct1), "–");
    }
}
