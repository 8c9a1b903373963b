//! Key findings drafted in plain English, every number taken from the pack
//! and every threshold from the run's parameters (`pack.params`).

use super::{Figure, Finding, Pack};
use crate::fmt;
use crate::metric::{Metric, words};

fn survey_phrase(ind: u8) -> &'static str {
    match ind {
        5 => "experienced harassment, bullying or abuse from patients, relatives or the public",
        6 => "experienced harassment, bullying or abuse from staff",
        7 => "believe the trust provides equal opportunities for career progression or promotion",
        _ => "experienced discrimination at work from a manager, team leader or other colleagues",
    }
}

/// "; the benchmark median is X" when the pack may show one.
fn median_clause(f: &Figure, what: &str) -> String {
    f.benchmark
        .as_ref()
        .and_then(|b| b.median)
        .map(|m| format!("; the benchmark median{what} is {}", f.median_text(m)))
        .unwrap_or_default()
}

/// The judgement against the benchmark median, as a clause.
fn judged(f: &Figure) -> String {
    match f.judgement.benchmark {
        Some(words::BETTER) => " (better than the median)".into(),
        Some(words::WORSE) => " (worse than the median)".into(),
        Some(words::SIMILAR) => " (similar to the median)".into(),
        Some(words::FAVOURS_BME) => " (below the parity band: this favours BME staff)".into(),
        _ => String::new(),
    }
}

fn trend_clause(f: &Figure) -> String {
    let mut s = match f.judgement.trend {
        Some(w) => format!(" Over the years shown: {}.", words::text(w)),
        None => String::new(),
    };
    if let Some(n) = &f.judgement.trend_note {
        s.push_str(&format!(" The trend is uncertain: {n}."));
    }
    s
}

/// Drafts the findings: sentences per indicator with figures.
pub fn draft(p: &Pack) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |indicator: u8, text: String| out.push(Finding { indicator, text });

    if let Some(f) = p.figure(Metric::Ind1BmePct, "all", "all", "")
        && let (Some(v), Some(n), Some(d)) = (f.value, f.numerator, f.denominator)
    {
        push(
            1,
            format!(
                "BME staff are {} of the workforce ({} of {}){}.",
                fmt::pct1(v),
                fmt::count(n),
                fmt::count(d),
                median_clause(f, "")
            ),
        );
    }

    let band = [p.params.parity_band[0], p.params.parity_band[1]];
    for metric in [
        Metric::Ind2RelativeLikelihood,
        Metric::Ind3RelativeLikelihood,
        Metric::Ind4RelativeLikelihood,
    ] {
        let Some(f) = p.figure(metric, "", "", "") else {
            continue;
        };
        let ind = metric.indicator();
        let text = metric.likelihood_sentence().unwrap_or_default();
        if f.has_flag("infinite") {
            push(
                ind,
                format!(
                    "Indicator {ind}: no one in the comparison group was counted, so the relative likelihood is infinite{}; it is the most adverse result and counts in medians as such.",
                    f.ci_low
                        .map(|lo| format!(" (at least {} with 95% confidence)", f.bound_text(lo)))
                        .unwrap_or_default()
                ),
            );
            continue;
        }
        let Some(v) = f.value else {
            push(
                ind,
                format!(
                    "Indicator {ind}: the relative likelihood cannot be computed this year (no one in a group's denominator, or no one counted in either group)."
                ),
            );
            continue;
        };
        let mut s = text.replace("{x}", &f.value_text(v, band));
        if let (Some(lo), Some(hi)) = (f.ci_low, f.ci_high) {
            s.push_str(&format!(
                " (95% interval {} to {})",
                f.bound_text(lo),
                f.bound_text(hi)
            ));
        }
        s.push_str(&median_clause(f, ""));
        if let Some(n) = f.national.as_ref().and_then(|n| n.pooled) {
            s.push_str(&format!(" and the national figure {}", metric.format(n)));
        }
        s.push('.');
        if f.has_flag("zero_count") {
            s.push_str(" No one in the first group was counted: a real result of 0.");
        }
        match f.judgement.parity {
            Some(words::SIGNIFICANT) => {
                s.push_str(" The difference from parity is statistically significant.")
            }
            Some(_) => s.push_str(" The difference from parity is not statistically significant."),
            None => {}
        }
        if v < band[0] {
            s.push_str(&format!(
                " It is below {}, outside the four-fifths band: this favours BME staff.",
                fmt::fixed(band[0], 2)
            ));
        } else if v > band[1] {
            s.push_str(&format!(
                " It is above {}, outside the four-fifths band.",
                fmt::fixed(band[1], 2)
            ));
        }
        if f.has_flag("small_numbers") {
            s.push_str(&format!(
                " Fewer than {} people are in a group, so this figure is uncertain.",
                fmt::plain_number(p.params.small_numbers)
            ));
        }
        s.push_str(&trend_clause(f));
        push(ind, s);
    }

    for metric in Metric::survey_pcts() {
        let ind = metric.indicator();
        let (Some(b), Some(w)) = (
            p.figure(metric, "", "", "bme"),
            p.figure(metric, "", "", "white"),
        ) else {
            continue;
        };
        if b.suppressed {
            push(
                ind,
                format!(
                    "Indicator {ind}: fewer than {} BME staff answered in the {} survey, so the figure is not shown.",
                    fmt::plain_number(p.params.min_responses),
                    p.survey_year
                ),
            );
            continue;
        }
        let (Some(bv), Some(wv)) = (b.value, w.value) else {
            continue;
        };
        let mut s = format!(
            "{} of BME staff {} in the {} survey, compared with {} of White staff{}{}",
            fmt::pct1(bv),
            survey_phrase(ind),
            p.survey_year,
            fmt::pct1(wv),
            median_clause(b, " for BME staff"),
            judged(b)
        );
        let earlier: Vec<_> = b
            .trend
            .iter()
            .filter(|t| t.value.is_some() && t.year < p.year)
            .collect();
        if let Some(first) = earlier.first()
            && let Some(fv) = first.value
        {
            let word = if bv > fv {
                "up from"
            } else if bv < fv {
                "down from"
            } else {
                "the same as"
            };
            s.push_str(&format!("; {word} {} in {}", fmt::pct1(fv), first.year - 1));
        }
        s.push('.');
        s.push_str(&trend_clause(b));
        push(ind, s);
    }

    for cat in ["voting", "total"] {
        let Some(f) = p.figure(Metric::Ind9DiffPp, "", cat, "") else {
            continue;
        };
        let (Some(d), Some(board)) = (
            f.value,
            p.figure(Metric::Ind9BoardBmePct, "", cat, "")
                .and_then(|b| b.value),
        ) else {
            continue;
        };
        let wf = board - d;
        push(
            9,
            format!(
                "BME members are {} of the {} board against {} of the workforce, a difference of {}.",
                fmt::pct1(board),
                if cat == "voting" { "voting" } else { "whole" },
                fmt::pct1(wf),
                Metric::Ind9DiffPp.format(d)
            ),
        );
        break;
    }
    out
}
