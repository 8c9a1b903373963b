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
    out.extend(workforce(p).map(|text| Finding { indicator: 1, text }));
    for metric in [
        Metric::Ind2RelativeLikelihood,
        Metric::Ind3RelativeLikelihood,
        Metric::Ind4RelativeLikelihood,
    ] {
        if let Some(f) = p.figure(metric, "", "", "") {
            out.push(Finding {
                indicator: metric.indicator(),
                text: likelihood(f, p),
            });
        }
    }
    for metric in Metric::survey_pcts() {
        out.extend(survey(p, metric).map(|text| Finding {
            indicator: metric.indicator(),
            text,
        }));
    }
    out.extend(board(p).map(|text| Finding { indicator: 9, text }));
    out
}

/// Indicator 1: the BME share of the workforce.
fn workforce(p: &Pack) -> Option<String> {
    let f = p.figure(Metric::Ind1BmePct, "all", "all", "")?;
    let (v, n, d) = (f.value?, f.numerator?, f.denominator?);
    Some(format!(
        "BME staff are {} of the workforce ({} of {}){}.",
        fmt::pct1(v),
        fmt::count(n),
        fmt::count(d),
        median_clause(f, "")
    ))
}

/// Indicators 2-4: a relative likelihood, its interval, the benchmark and
/// national figures, parity and the trend.
fn likelihood(f: &Figure, p: &Pack) -> String {
    let (metric, ind) = (f.metric, f.metric.indicator());
    if f.has_flag("infinite") {
        return format!(
            "Indicator {ind}: no one in the comparison group was counted, so the relative likelihood is infinite{}; it is the most adverse result and counts in medians as such.",
            f.ci_low
                .map(|lo| format!(" (at least {} with 95% confidence)", f.bound_text(lo)))
                .unwrap_or_default()
        );
    }
    let Some(v) = f.value else {
        return format!(
            "Indicator {ind}: the relative likelihood cannot be computed this year (no one in a group's denominator, or no one counted in either group)."
        );
    };
    let band = p.params.parity_band;
    let text = metric.likelihood_sentence().unwrap_or_default();
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
    s.push_str(&outside_band(v, band));
    if f.has_flag("small_numbers") {
        s.push_str(&format!(
            " Fewer than {} people are in a group, so this figure is uncertain.",
            fmt::plain_number(p.params.small_numbers)
        ));
    }
    s.push_str(&trend_clause(f));
    s
}

/// " It is below 0.80, outside the four-fifths band..." or nothing.
fn outside_band(v: f64, band: [f64; 2]) -> String {
    if v < band[0] {
        format!(
            " It is below {}, outside the four-fifths band: this favours BME staff.",
            fmt::fixed(band[0], 2)
        )
    } else if v > band[1] {
        format!(
            " It is above {}, outside the four-fifths band.",
            fmt::fixed(band[1], 2)
        )
    } else {
        String::new()
    }
}

/// Indicators 5-8: BME against White staff in the survey, against the
/// benchmark median and the earliest year shown.
fn survey(p: &Pack, metric: Metric) -> Option<String> {
    let ind = metric.indicator();
    let b = p.figure(metric, "", "", "bme")?;
    let w = p.figure(metric, "", "", "white")?;
    if b.suppressed {
        return Some(format!(
            "Indicator {ind}: fewer than {} BME staff answered in the {} survey, so the figure is not shown.",
            fmt::plain_number(p.params.min_responses),
            p.survey_year
        ));
    }
    let (bv, wv) = (b.value?, w.value?);
    let mut s = format!(
        "{} of BME staff {} in the {} survey, compared with {} of White staff{}{}",
        fmt::pct1(bv),
        survey_phrase(ind),
        p.survey_year,
        fmt::pct1(wv),
        median_clause(b, " for BME staff"),
        judged(b)
    );
    let first = b
        .trend
        .iter()
        .find(|t| t.value.is_some() && t.year < p.year);
    if let Some(fv) = first.and_then(|t| t.value.map(|v| (v, t.year))) {
        let word = if bv > fv.0 {
            "up from"
        } else if bv < fv.0 {
            "down from"
        } else {
            "the same as"
        };
        s.push_str(&format!("; {word} {} in {}", fmt::pct1(fv.0), fv.1 - 1));
    }
    s.push('.');
    s.push_str(&trend_clause(b));
    Some(s)
}

/// Indicator 9: the voting board against the workforce (the whole board
/// when no voting figure is held).
fn board(p: &Pack) -> Option<String> {
    ["voting", "total"].into_iter().find_map(|cat| {
        let f = p.figure(Metric::Ind9DiffPp, "", cat, "")?;
        let d = f.value?;
        let board = p.figure(Metric::Ind9BoardBmePct, "", cat, "")?.value?;
        Some(format!(
            "BME members are {} of the {} board against {} of the workforce, a difference of {}.",
            fmt::pct1(board),
            if cat == "voting" { "voting" } else { "whole" },
            fmt::pct1(board - d),
            Metric::Ind9DiffPp.format(d)
        ))
    })
}
