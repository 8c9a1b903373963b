//! The metric catalogue: every metric of spec/indicators.md, declared once.
//!
//! A metric's code, indicator, kind, direction, label, display decimals, the
//! percentage metric a ratio or gap is built from, and its headline breakdown
//! live in the one table below. The same table is registered in DataFusion as
//! `metrics` (see [`Metric::ALL`] and `engine`), so the queries join it instead
//! of matching names, and formatting, labels and judgements are methods here.
//! Adding a metric means one row here and its SQL in `queries/org_metrics.sql`.

use std::fmt;

use crate::model::Ethnicity;
use crate::params::Params;
use crate::stats::{self, RrCounts};

/// What sort of figure a metric is; decides its statistics and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// People (headcounts, parity gaps, annual goals): summed nationally, no
    /// group statistics.
    Count,
    /// A percentage x / n x 100 with a Wilson interval.
    Proportion,
    /// (a / n1) / (c / n2) with a Katz interval; above 1 adverse to BME staff.
    RelativeLikelihood,
    /// A staff survey percentage as supplied, with its responses.
    SurveyPct,
    /// BME minus White survey percentage, percentage points (Newcombe interval).
    Gap,
    /// Board BME % minus workforce BME %, percentage points.
    BoardDiff,
}

impl Kind {
    /// The code used in the `metrics` table.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Proportion => "proportion",
            Kind::RelativeLikelihood => "relative_likelihood",
            Kind::SurveyPct => "survey_pct",
            Kind::Gap => "gap",
            Kind::BoardDiff => "board_diff",
        }
    }
}

/// Which way a metric is better (spec/indicators.md, column "better").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Lower,
    Higher,
    /// Relative likelihoods: parity is 1.
    NearOne,
    /// Board difference: 0 is a board as diverse as the workforce.
    NearZero,
    /// No better direction (BME share of a band): only above or below.
    None,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Lower => "lower",
            Direction::Higher => "higher",
            Direction::NearOne => "near_one",
            Direction::NearZero => "near_zero",
            Direction::None => "none",
        }
    }
}

/// A metric's headline breakdown (staff_group, category, ethnicity), where it
/// has one: the figure the summary, peer tables and region packs show.
pub type Breakdown = (&'static str, &'static str, &'static str);

macro_rules! catalogue {
    ($($variant:ident => {
        code: $code:literal, indicator: $ind:literal, kind: $kind:ident,
        direction: $dir:ident, decimals: $dec:literal, label: $label:literal,
        source: $source:expr, first_group: $first:expr, headline: $head:expr $(,)?
    }),+ $(,)?) => {
        /// One metric of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric { $($variant),+ }

        impl Metric {
            /// Every metric, in the order of the spec.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant),+];

            /// The code stored in the result tables (`ind2.relative_likelihood`).
            pub fn code(self) -> &'static str {
                match self { $(Metric::$variant => $code),+ }
            }
            /// The WRES indicator (1-9).
            pub fn indicator(self) -> u8 {
                match self { $(Metric::$variant => $ind),+ }
            }
            pub fn kind(self) -> Kind {
                match self { $(Metric::$variant => Kind::$kind),+ }
            }
            pub fn direction(self) -> Direction {
                match self { $(Metric::$variant => Direction::$dir),+ }
            }
            /// Decimal places for display (values are stored unrounded).
            pub fn decimals(self) -> usize {
                match self { $(Metric::$variant => $dec),+ }
            }
            /// The label shown to people.
            pub fn label(self) -> &'static str {
                match self { $(Metric::$variant => $label),+ }
            }
            /// The percentage metric a ratio or gap is computed from.
            pub fn source(self) -> Option<Metric> {
                match self { $(Metric::$variant => $source),+ }
            }
            /// For ratios and gaps: the group in the numerator (ratios) or
            /// the minuend (gaps); the other of White and BME is compared.
            pub fn first_group(self) -> Option<Ethnicity> {
                match self { $(Metric::$variant => $first),+ }
            }
            /// The breakdown shown as this metric's headline figure, if any.
            pub fn headline(self) -> Option<Breakdown> {
                match self { $(Metric::$variant => $head),+ }
            }
        }
    };
}

use Ethnicity::{Bme, White};
use Metric as M;

catalogue! {
    Ind1Headcount => { code: "ind1.headcount", indicator: 1, kind: Count, direction: None, decimals: 0,
        label: "Headcount", source: None, first_group: None, headline: None },
    Ind1BmePct => { code: "ind1.bme_pct", indicator: 1, kind: Proportion, direction: None, decimals: 1,
        label: "BME % of staff", source: None, first_group: None, headline: Some(("all", "all", "")) },
    Ind1UnknownPct => { code: "ind1.unknown_pct", indicator: 1, kind: Proportion, direction: Lower, decimals: 1,
        label: "Ethnicity unknown %", source: None, first_group: None, headline: None },
    Ind1ParityGap => { code: "ind1.parity_gap", indicator: 1, kind: Count, direction: Lower, decimals: 0,
        label: "BME staff short of parity", source: None, first_group: None, headline: None },
    Ind1ParityAnnualGoal => { code: "ind1.parity_annual_goal", indicator: 1, kind: Count, direction: None, decimals: 1,
        label: "Annual goal to parity", source: None, first_group: None, headline: None },
    Ind2AppointedPct => { code: "ind2.appointed_pct", indicator: 2, kind: Proportion, direction: None, decimals: 1,
        label: "Appointed from shortlisting %", source: None, first_group: None, headline: None },
    Ind2RelativeLikelihood => { code: "ind2.relative_likelihood", indicator: 2, kind: RelativeLikelihood, direction: NearOne, decimals: 2,
        label: "Ind 2: relative likelihood of appointment (White/BME)",
        source: Some(M::Ind2AppointedPct), first_group: Some(White), headline: Some(("", "", "")) },
    Ind3DisciplinaryPct => { code: "ind3.disciplinary_pct", indicator: 3, kind: Proportion, direction: None, decimals: 2,
        label: "Entered formal disciplinary %", source: None, first_group: None, headline: None },
    Ind3RelativeLikelihood => { code: "ind3.relative_likelihood", indicator: 3, kind: RelativeLikelihood, direction: NearOne, decimals: 2,
        label: "Ind 3: relative likelihood of disciplinary (BME/White)",
        source: Some(M::Ind3DisciplinaryPct), first_group: Some(Bme), headline: Some(("", "", "")) },
    Ind3RelativeLikelihood2yr => { code: "ind3.relative_likelihood_2yr", indicator: 3, kind: RelativeLikelihood, direction: NearOne, decimals: 2,
        label: "Ind 3: relative likelihood, two years",
        source: Some(M::Ind3DisciplinaryPct), first_group: Some(Bme), headline: None },
    Ind4TrainingPct => { code: "ind4.training_pct", indicator: 4, kind: Proportion, direction: None, decimals: 1,
        label: "Accessed non-mandatory training %", source: None, first_group: None, headline: None },
    Ind4RelativeLikelihood => { code: "ind4.relative_likelihood", indicator: 4, kind: RelativeLikelihood, direction: NearOne, decimals: 2,
        label: "Ind 4: relative likelihood of training (White/BME)",
        source: Some(M::Ind4TrainingPct), first_group: Some(White), headline: Some(("", "", "")) },
    Ind5Pct => { code: "ind5.pct", indicator: 5, kind: SurveyPct, direction: Lower, decimals: 1,
        label: "Ind 5: harassment from public %", source: None, first_group: None, headline: Some(("", "", "bme")) },
    Ind5GapPp => { code: "ind5.gap_pp", indicator: 5, kind: Gap, direction: Lower, decimals: 1,
        label: "Ind 5: BME - White gap (pp)", source: Some(M::Ind5Pct), first_group: Some(Bme), headline: None },
    Ind6Pct => { code: "ind6.pct", indicator: 6, kind: SurveyPct, direction: Lower, decimals: 1,
        label: "Ind 6: harassment from staff %", source: None, first_group: None, headline: Some(("", "", "bme")) },
    Ind6GapPp => { code: "ind6.gap_pp", indicator: 6, kind: Gap, direction: Lower, decimals: 1,
        label: "Ind 6: BME - White gap (pp)", source: Some(M::Ind6Pct), first_group: Some(Bme), headline: None },
    Ind7Pct => { code: "ind7.pct", indicator: 7, kind: SurveyPct, direction: Higher, decimals: 1,
        label: "Ind 7: equal opportunities for progression %", source: None, first_group: None, headline: Some(("", "", "bme")) },
    Ind7GapPp => { code: "ind7.gap_pp", indicator: 7, kind: Gap, direction: Higher, decimals: 1,
        label: "Ind 7: BME - White gap (pp)", source: Some(M::Ind7Pct), first_group: Some(Bme), headline: None },
    Ind8Pct => { code: "ind8.pct", indicator: 8, kind: SurveyPct, direction: Lower, decimals: 1,
        label: "Ind 8: discrimination from colleagues %", source: None, first_group: None, headline: Some(("", "", "bme")) },
    Ind8GapPp => { code: "ind8.gap_pp", indicator: 8, kind: Gap, direction: Lower, decimals: 1,
        label: "Ind 8: BME - White gap (pp)", source: Some(M::Ind8Pct), first_group: Some(Bme), headline: None },
    Ind9BoardBmePct => { code: "ind9.board_bme_pct", indicator: 9, kind: Proportion, direction: None, decimals: 1,
        label: "Ind 9: BME % of board", source: None, first_group: None, headline: None },
    Ind9DiffPp => { code: "ind9.diff_pp", indicator: 9, kind: BoardDiff, direction: NearZero, decimals: 1,
        label: "Ind 9: board minus workforce BME % (pp)",
        source: Some(M::Ind9BoardBmePct), first_group: None, headline: Some(("", "voting", "")) },
}

impl Metric {
    /// The metric with this code (exact, as stored in the result tables).
    pub fn from_code(code: &str) -> Option<Metric> {
        Metric::ALL.iter().copied().find(|m| m.code() == code)
    }

    /// Accepts a code case-insensitively (command-line `--metric`).
    pub fn parse(text: &str) -> Option<Metric> {
        let t = text.trim();
        Metric::ALL
            .iter()
            .copied()
            .find(|m| m.code().eq_ignore_ascii_case(t))
    }

    /// Years summed into one figure (2 for the two-year indicator 3).
    pub fn window_years(self) -> i32 {
        if self == Metric::Ind3RelativeLikelihood2yr {
            2
        } else {
            1
        }
    }

    /// Group, regional and national order statistics exist for every kind
    /// but counts (indicators.md: "No group statistics for count metrics").
    pub fn has_group_stats(self) -> bool {
        self.kind() != Kind::Count
    }

    /// Best and worst of the group are published only for staff survey
    /// percentages (indicators 5-8), as the NHS Staff Survey does.
    pub fn shows_best_worst(self) -> bool {
        self.kind() == Kind::SurveyPct
    }

    /// The staff survey percentages (indicators 5-8), in order.
    pub fn survey_pcts() -> impl Iterator<Item = Metric> {
        Metric::ALL
            .iter()
            .copied()
            .filter(|m| m.kind() == Kind::SurveyPct)
    }

    /// The headline metrics, in indicator order, with their breakdowns.
    pub fn headlines() -> impl Iterator<Item = (Metric, Breakdown)> {
        Metric::ALL
            .iter()
            .filter_map(|m| m.headline().map(|b| (*m, b)))
    }

    /// The figure printed for people, at the metric's decimals: ratios `0.64`,
    /// counts `1,062`, percentages `18.4%`, percentage points `+14.6 pp`.
    pub fn format(self, v: f64) -> String {
        crate::fmt::metric_value(self, v)
    }

    /// The relative likelihood's sentence, `{x}` standing for the ratio.
    pub fn likelihood_sentence(self) -> Option<&'static str> {
        match self {
            Metric::Ind2RelativeLikelihood => Some(
                "White applicants were {x} times as likely as BME applicants to be appointed from shortlisting",
            ),
            Metric::Ind3RelativeLikelihood => Some(
                "BME staff were {x} times as likely as White staff to enter the formal disciplinary process",
            ),
            Metric::Ind4RelativeLikelihood => Some(
                "White staff were {x} times as likely as BME staff to access non-mandatory training and CPD",
            ),
            _ => None,
        }
    }
}

/// One year's counts behind a figure, for the trend test of "Judging a figure".
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    /// x of n (a survey percentage as pct x responses / 100 of responses).
    Proportion { x: f64, n: f64 },
    /// The four counts of a relative likelihood.
    Ratio(RrCounts),
}

/// Judgement words (spec/indicators.md, "Judging a figure"): one set per
/// question, never mixed. These are the codes written into packs.
pub mod words {
    pub const SIGNIFICANT: &str = "significant";
    pub const NOT_SIGNIFICANT: &str = "not_significant";
    pub const BETTER: &str = "better";
    pub const SIMILAR: &str = "similar";
    pub const WORSE: &str = "worse";
    pub const FAVOURS_BME: &str = "favours_bme";
    pub const ABOVE: &str = "above";
    pub const BELOW: &str = "below";
    pub const IMPROVING: &str = "improving";
    pub const WORSENING: &str = "worsening";
    pub const NO_CLEAR_CHANGE: &str = "no_clear_change";

    /// The word as people read it.
    pub fn text(word: &str) -> &'static str {
        match word {
            SIGNIFICANT => "significant",
            NOT_SIGNIFICANT => "not significant",
            BETTER => "better",
            SIMILAR => "similar",
            WORSE => "worse",
            FAVOURS_BME => "favours BME staff",
            ABOVE => "above",
            BELOW => "below",
            IMPROVING => "improving",
            WORSENING => "worsening",
            NO_CLEAR_CHANGE => "no clear change",
            _ => "not comparable",
        }
    }
}

impl Metric {
    /// Against parity (relative likelihoods only): `significant` when the 95%
    /// interval excludes 1. An infinite ratio has only a lower limit.
    pub fn judge_parity(self, ci_low: Option<f64>, ci_high: Option<f64>) -> Option<&'static str> {
        if self.kind() != Kind::RelativeLikelihood {
            return None;
        }
        let lo = ci_low?;
        let sig = lo > 1.0 || ci_high.is_some_and(|hi| hi < 1.0);
        Some(if sig {
            words::SIGNIFICANT
        } else {
            words::NOT_SIGNIFICANT
        })
    }

    /// Against the benchmark median: `similar` when the 95% interval contains
    /// the median (without an interval: when both print the same); otherwise
    /// by the metric's direction. A relative likelihood below the parity band
    /// is `favours_bme`, never better or worse; metrics with no better
    /// direction (BME share of a band) are only `above` or `below`.
    /// `infinite` marks a ratio whose comparison count is zero (+infinity).
    pub fn judge_benchmark(
        self,
        value: Option<f64>,
        infinite: bool,
        ci: (Option<f64>, Option<f64>),
        median: Option<f64>,
        p: &Params,
    ) -> Option<&'static str> {
        let m = median?;
        let v = if infinite { f64::INFINITY } else { value? };
        if self.direction() == Direction::None {
            return Some(if self.format(v) == self.format(m) {
                words::SIMILAR
            } else if v > m {
                words::ABOVE
            } else {
                words::BELOW
            });
        }
        let similar = match ci {
            (Some(lo), hi) => lo <= m && m <= hi.unwrap_or(f64::INFINITY),
            (None, _) => v.is_finite() && self.format(v) == self.format(m),
        };
        if similar {
            return Some(words::SIMILAR);
        }
        let better = match self.direction() {
            Direction::NearOne if v < p.parity_low => return Some(words::FAVOURS_BME),
            Direction::NearOne | Direction::Lower => v < m,
            Direction::Higher => v > m,
            Direction::NearZero if v.abs() == m.abs() => return Some(words::SIMILAR),
            Direction::NearZero => v.abs() < m.abs(),
            Direction::None => unreachable!("handled above"),
        };
        Some(if better { words::BETTER } else { words::WORSE })
    }

    /// Over time, from the first to the last year shown: `improving` or
    /// `worsening` only when the change is significant at 95% (Newcombe's
    /// hybrid interval of the difference for proportions and survey
    /// percentages; for relative likelihoods the interval of RR2 / RR1 with
    /// Katz variances, improving when the move is towards 1); otherwise
    /// `no_clear_change`. None for metrics with no better direction or no test.
    pub fn judge_trend(self, first: &Sample, last: &Sample, z: f64) -> Option<&'static str> {
        match (self.kind(), self.direction(), first, last) {
            (
                Kind::Proportion | Kind::SurveyPct,
                Direction::Lower | Direction::Higher,
                Sample::Proportion { x: x1, n: n1 },
                Sample::Proportion { x: x2, n: n2 },
            ) => {
                let (lo, hi) = stats::newcombe_diff(*x2, *n2, *x1, *n1, z)?;
                if lo <= 0.0 && hi >= 0.0 {
                    return Some(words::NO_CLEAR_CHANGE);
                }
                let up = lo > 0.0;
                let good = (up && self.direction() == Direction::Higher)
                    || (!up && self.direction() == Direction::Lower);
                Some(if good {
                    words::IMPROVING
                } else {
                    words::WORSENING
                })
            }
            (Kind::RelativeLikelihood, _, Sample::Ratio(c1), Sample::Ratio(c2)) => {
                let (rr1, v1) = c1.for_comparison()?;
                let (rr2, v2) = c2.for_comparison()?;
                let (lo, hi) = stats::ratio_of_ratios(rr1, v1, rr2, v2, z)?;
                if lo <= 1.0 && hi >= 1.0 {
                    return Some(words::NO_CLEAR_CHANGE);
                }
                Some(if rr2.ln().abs() < rr1.ln().abs() {
                    words::IMPROVING
                } else {
                    words::WORSENING
                })
            }
            _ => None,
        }
    }
}

impl serde::Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for m in Metric::ALL {
            assert!(seen.insert(m.code()), "{m} twice");
            assert_eq!(Metric::from_code(m.code()), Some(*m));
            assert_eq!(Metric::parse(&m.code().to_uppercase()), Some(*m));
            assert!(m.code().starts_with(&format!("ind{}.", m.indicator())));
        }
    }

    #[test]
    fn ratios_and_gaps_name_their_source_and_first_group() {
        for m in Metric::ALL {
            match m.kind() {
                Kind::RelativeLikelihood => {
                    let s = m.source().expect("a ratio has a source");
                    assert_eq!(s.kind(), Kind::Proportion);
                    assert_eq!(s.indicator(), m.indicator());
                    assert!(m.first_group().is_some());
                }
                Kind::Gap => {
                    assert_eq!(m.source().map(Metric::kind), Some(Kind::SurveyPct));
                    assert_eq!(m.first_group(), Some(Ethnicity::Bme));
                }
                _ => {}
            }
        }
        // Indicator 3 is the one ratio with BME staff in the numerator.
        assert_eq!(
            Metric::Ind3RelativeLikelihood.first_group(),
            Some(Ethnicity::Bme)
        );
        assert_eq!(
            Metric::Ind2RelativeLikelihood.first_group(),
            Some(Ethnicity::White)
        );
    }

    fn p() -> Params {
        Params::default()
    }

    #[test]
    fn below_the_parity_band_favours_bme_staff_never_worse() {
        // Humber's indicator 4 (0.84 would be inside the band; 0.70 is below it).
        let m = Metric::Ind4RelativeLikelihood;
        let j = m.judge_benchmark(
            Some(0.70),
            false,
            (Some(0.60), Some(0.78)),
            Some(1.10),
            &p(),
        );
        assert_eq!(j, Some(words::FAVOURS_BME));
        // Inside the band and below the median: better; above it: worse.
        let j = m.judge_benchmark(
            Some(0.84),
            false,
            (Some(0.80), Some(0.88)),
            Some(1.10),
            &p(),
        );
        assert_eq!(j, Some(words::BETTER));
        let j = m.judge_benchmark(Some(1.5), false, (Some(1.3), Some(1.7)), Some(1.10), &p());
        assert_eq!(j, Some(words::WORSE));
        // The interval contains the median: similar, whatever the side.
        let j = m.judge_benchmark(Some(0.70), false, (Some(0.50), Some(1.2)), Some(1.10), &p());
        assert_eq!(j, Some(words::SIMILAR));
        // Infinite: worse than any finite median unless its lower limit reaches it.
        let j = m.judge_benchmark(None, true, (Some(1.4), None), Some(1.10), &p());
        assert_eq!(j, Some(words::WORSE));
        let j = m.judge_benchmark(None, true, (Some(0.9), None), Some(1.10), &p());
        assert_eq!(j, Some(words::SIMILAR));
    }

    #[test]
    fn band_shares_are_only_above_or_below_and_survey_follows_direction() {
        let j = Metric::Ind1BmePct.judge_benchmark(
            Some(12.0),
            false,
            (Some(10.0), Some(14.0)),
            Some(11.0),
            &p(),
        );
        assert_eq!(j, Some(words::ABOVE));
        // Indicator 7: higher is better; indicator 8: lower is better.
        let ci = (Some(40.0), Some(50.0));
        assert_eq!(
            Metric::Ind7Pct.judge_benchmark(Some(45.0), false, ci, Some(30.0), &p()),
            Some(words::BETTER)
        );
        assert_eq!(
            Metric::Ind8Pct.judge_benchmark(Some(45.0), false, ci, Some(30.0), &p()),
            Some(words::WORSE)
        );
        // Board difference: no interval; nearer 0 is better.
        assert_eq!(
            Metric::Ind9DiffPp.judge_benchmark(Some(-2.0), false, (None, None), Some(-6.0), &p()),
            Some(words::BETTER)
        );
        assert_eq!(
            Metric::Ind9DiffPp.judge_benchmark(Some(-6.04), false, (None, None), Some(-6.0), &p()),
            Some(words::SIMILAR)
        );
    }

    #[test]
    fn parity_judgement_only_for_ratios() {
        let m = Metric::Ind2RelativeLikelihood;
        assert_eq!(
            m.judge_parity(Some(0.43), Some(0.95)),
            Some(words::SIGNIFICANT)
        );
        assert_eq!(
            m.judge_parity(Some(0.9), Some(1.3)),
            Some(words::NOT_SIGNIFICANT)
        );
        assert_eq!(
            m.judge_parity(Some(1.2), None),
            Some(words::SIGNIFICANT),
            "infinite, lower limit above 1"
        );
        assert_eq!(Metric::Ind8Pct.judge_parity(Some(1.2), Some(2.0)), None);
    }

    #[test]
    fn trend_words_need_a_significant_change() {
        // Humber's BME indicator 8: 4.8% of 21 (2017) to 18.4% of 49 (2020).
        // Newcombe hybrid: -0.062 to 0.272, includes 0: no clear change.
        let first = Sample::Proportion {
            x: 4.8 * 21.0 / 100.0,
            n: 21.0,
        };
        let last = Sample::Proportion {
            x: 18.4 * 49.0 / 100.0,
            n: 49.0,
        };
        assert_eq!(
            Metric::Ind8Pct.judge_trend(&first, &last, stats::Z95),
            Some(words::NO_CLEAR_CHANGE)
        );
        // 5% to 20% of 500 each is significant, and up is worse for indicator 8
        // and better for indicator 7.
        let first = Sample::Proportion { x: 25.0, n: 500.0 };
        let last = Sample::Proportion { x: 100.0, n: 500.0 };
        assert_eq!(
            Metric::Ind8Pct.judge_trend(&first, &last, stats::Z95),
            Some(words::WORSENING)
        );
        assert_eq!(
            Metric::Ind7Pct.judge_trend(&first, &last, stats::Z95),
            Some(words::IMPROVING)
        );
        // No better direction, no trend words.
        assert_eq!(
            Metric::Ind1BmePct.judge_trend(&first, &last, stats::Z95),
            None
        );
    }

    #[test]
    fn ratio_trends_use_the_ratio_of_ratios() {
        let rr = |a, n1, c, n2| Sample::Ratio(RrCounts { a, n1, c, n2 });
        let m = Metric::Ind3RelativeLikelihood;
        // RR 2 (20/100 over 10/100, var 0.13) to RR 1 (same var): interval
        // 0.184 to 1.358 of the ratio includes 1: no clear change.
        assert_eq!(
            m.judge_trend(
                &rr(20.0, 100.0, 10.0, 100.0),
                &rr(10.0, 100.0, 10.0, 100.0),
                stats::Z95
            ),
            Some(words::NO_CLEAR_CHANGE)
        );
        // RR 4 to RR 1 on large counts: significant, towards 1: improving;
        // and the reverse is worsening.
        let big4 = rr(400.0, 1000.0, 100.0, 1000.0);
        let big1 = rr(100.0, 1000.0, 100.0, 1000.0);
        assert_eq!(
            m.judge_trend(&big4, &big1, stats::Z95),
            Some(words::IMPROVING)
        );
        assert_eq!(
            m.judge_trend(&big1, &big4, stats::Z95),
            Some(words::WORSENING)
        );
    }

    #[test]
    fn headlines_are_one_per_indicator() {
        let inds: Vec<u8> = Metric::headlines().map(|(m, _)| m.indicator()).collect();
        assert_eq!(inds, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
}
