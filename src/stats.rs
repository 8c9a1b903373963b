//! The statistics of spec/indicators.md as plain functions, so the SQL (through
//! the UDFs of `engine::udf`) and the packs' judgements use one implementation.
//!
//! Proportions are on the 0-1 scale here; callers scale to percentages.

/// The normal quantile for 95% two-sided intervals.
pub const Z95: f64 = 1.959_963_984_540_054;
/// The normal quantile for 99.8% two-sided intervals (funnel plot outer limits).
pub const Z998: f64 = 3.090_232_306_167_813;

/// Wilson score interval for `x` successes out of `n` (Newcombe 1998a, method 3),
/// on the 0-1 scale. `x` may be fractional (a survey percentage times its
/// responses). `None` when `n` is not positive or `x` is outside 0..=n.
pub fn wilson(x: f64, n: f64, z: f64) -> Option<(f64, f64)> {
    if !n.is_finite() || !x.is_finite() || n <= 0.0 || x < 0.0 || x > n {
        return None;
    }
    let p = x / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = p + z2 / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let lo = ((centre - half) / denom).max(0.0);
    let hi = ((centre + half) / denom).min(1.0);
    Some((lo, hi))
}

/// Newcombe's hybrid score interval (1998b, method 10) for the difference
/// p1 - p2 of two independent proportions, `x1/n1` minus `x2/n2`, 0-1 scale.
pub fn newcombe_diff(x1: f64, n1: f64, x2: f64, n2: f64, z: f64) -> Option<(f64, f64)> {
    let (l1, u1) = wilson(x1, n1, z)?;
    let (l2, u2) = wilson(x2, n2, z)?;
    let (p1, p2) = (x1 / n1, x2 / n2);
    let d = p1 - p2;
    Some((
        d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
        d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
    ))
}

/// The four counts of a relative likelihood (a / n1) / (c / n2): the first
/// group's numerator and denominator, then the comparison group's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RrCounts {
    pub a: f64,
    pub n1: f64,
    pub c: f64,
    pub n2: f64,
}

/// What a relative likelihood is, by the zero-count rules of indicators.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RrKind {
    /// Both numerators and denominators above zero.
    Finite,
    /// a = 0 and c > 0: a real result of 0 (`zero_count`).
    Zero,
    /// c = 0 and a > 0: infinite (`infinite`).
    Infinite,
    /// A zero denominator, or a = c = 0.
    Undefined,
}

impl RrCounts {
    pub fn kind(&self) -> RrKind {
        if self.n1 <= 0.0 || self.n2 <= 0.0 || (self.a <= 0.0 && self.c <= 0.0) {
            RrKind::Undefined
        } else if self.a <= 0.0 {
            RrKind::Zero
        } else if self.c <= 0.0 {
            RrKind::Infinite
        } else {
            RrKind::Finite
        }
    }

    /// The counts with 0.5 added to each cell when a numerator is zero (the
    /// correction of indicators.md); unchanged otherwise.
    pub fn corrected(&self) -> RrCounts {
        if self.a <= 0.0 || self.c <= 0.0 {
            RrCounts {
                a: self.a + 0.5,
                n1: self.n1 + 0.5,
                c: self.c + 0.5,
                n2: self.n2 + 0.5,
            }
        } else {
            *self
        }
    }

    /// The ratio itself (infinite or NaN where the counts say so).
    pub fn ratio(&self) -> f64 {
        (self.a / self.n1) / (self.c / self.n2)
    }

    /// Katz variance of ln RR: 1/a - 1/n1 + 1/c - 1/n2.
    pub fn katz_variance(&self) -> f64 {
        1.0 / self.a - 1.0 / self.n1 + 1.0 / self.c - 1.0 / self.n2
    }

    /// The ratio and its variance for comparisons, using the corrected counts
    /// where a numerator is zero; `None` when undefined.
    pub fn for_comparison(&self) -> Option<(f64, f64)> {
        if self.kind() == RrKind::Undefined {
            return None;
        }
        let c = self.corrected();
        Some((c.ratio(), c.katz_variance()))
    }
}

/// 95% interval of the ratio of two relative likelihoods RR2 / RR1:
/// exp(ln(RR2 / RR1) -/+ z sqrt(var1 + var2)).
pub fn ratio_of_ratios(rr1: f64, var1: f64, rr2: f64, var2: f64, z: f64) -> Option<(f64, f64)> {
    if !(rr1 > 0.0 && rr2 > 0.0 && var1.is_finite() && var2.is_finite()) {
        return None;
    }
    let l = (rr2 / rr1).ln();
    let se = (var1 + var2).sqrt();
    Some(((l - z * se).exp(), (l + z * se).exp()))
}

/// Rounds to `sig` significant figures (funnel x values of other trusts).
pub fn round_sig(v: f64, sig: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = v.abs().log10().floor() as i32;
    let m = 10f64.powi(sig - 1 - mag);
    (v * m).round() / m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.00005
    }

    /// Newcombe RG (1998). Two-sided confidence intervals for the single
    /// proportion: comparison of seven methods. Stat Med 17:857-872, Table I,
    /// method 3 (score, no continuity correction).
    #[test]
    fn wilson_matches_newcombe_1998a_table_i() {
        let cases = [
            (81.0, 263.0, 0.2553, 0.3662),
            (15.0, 148.0, 0.0624, 0.1605),
            (0.0, 20.0, 0.0, 0.1611),
            (1.0, 29.0, 0.0061, 0.1718),
        ];
        for (x, n, lo, hi) in cases {
            let (l, h) = wilson(x, n, Z95).unwrap();
            assert!(
                close(l, lo) && close(h, hi),
                "{x}/{n}: got {l:.4}-{h:.4}, want {lo}-{hi}"
            );
        }
    }

    #[test]
    fn wilson_rejects_impossible_inputs() {
        assert_eq!(wilson(1.0, 0.0, Z95), None);
        assert_eq!(wilson(5.0, 4.0, Z95), None);
        assert_eq!(wilson(f64::NAN, 4.0, Z95), None);
    }

    /// Newcombe RG (1998). Interval estimation for the difference between
    /// independent proportions. Stat Med 17:873-890, Table II, example (a)
    /// 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    #[test]
    fn newcombe_hybrid_matches_the_published_example() {
        let (l, u) = newcombe_diff(56.0, 70.0, 48.0, 80.0, Z95).unwrap();
        assert!(close(l, 0.0524) && close(u, 0.3339), "{l:.4} {u:.4}");
    }

    #[test]
    fn zero_count_rules() {
        let rr = |a, n1, c, n2| RrCounts { a, n1, c, n2 };
        assert_eq!(rr(0.0, 100.0, 5.0, 100.0).kind(), RrKind::Zero);
        assert_eq!(rr(5.0, 100.0, 0.0, 100.0).kind(), RrKind::Infinite);
        assert_eq!(rr(0.0, 100.0, 0.0, 100.0).kind(), RrKind::Undefined);
        assert_eq!(rr(5.0, 0.0, 5.0, 100.0).kind(), RrKind::Undefined);
        // Corrected: (0.5/100.5)/(5.5/100.5) = 1/11; var = 2 - 2/100.5 + 2/11 - ... by hand:
        // 1/0.5 - 1/100.5 + 1/5.5 - 1/100.5 = 2 + 0.181818 - 0.019900 = 2.161918.
        let (r, v) = rr(0.0, 100.0, 5.0, 100.0).for_comparison().unwrap();
        assert!(close(r, 1.0 / 11.0), "{r}");
        assert!(close(v, 2.161918), "{v}");
    }

    #[test]
    fn ratio_of_ratios_by_hand() {
        // RR1 = 2 (var 0.13), RR2 = 1 (var 0.13): ln(0.5) = -0.693147,
        // se = sqrt(0.26) = 0.509902; exp(-0.693147 -/+ 1.959964 x 0.509902)
        // = exp(-1.692537) .. exp(0.306243) = 0.18405 .. 1.35831: includes 1.
        let (l, u) = ratio_of_ratios(2.0, 0.13, 1.0, 0.13, Z95).unwrap();
        assert!(close(l, 0.18405) && close(u, 1.35831), "{l} {u}");
    }

    #[test]
    fn significant_figures() {
        assert_eq!(round_sig(1234.0, 2), 1200.0);
        assert_eq!(round_sig(0.012_34, 2), 0.012);
        assert_eq!(round_sig(87.6, 2), 88.0);
    }
}
