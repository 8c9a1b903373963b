//! Key findings drafted in plain English, every number taken from the pack.

use super::Pack;
use crate::fmt;

fn survey_phrase(ind: u8) -> &'static str {
    match ind {
        5 => "experienced harassment, bullying or abuse from patients, relatives or the public",
        6 => "experienced harassment, bullying or abuse from staff",
        7 => "believe the trust provides equal opportunities for career progression or promotion",
        _ => "experienced discrimination at work from a manager, team leader or other colleagues",
    }
}

/// Drafts the findings: one sentence per indicator with figures.
pub fn draft(p: &Pack) -> Vec<String> {
    let mut out = Vec::new();

    if let Some(f) = p.figure("ind1.bme_pct", "all", "all", "")
        && let (Some(v), Some(n), Some(d)) = (f.value, f.numerator, f.denominator)
    {
        let mut s = format!(
            "BME staff are {} of the workforce ({} of {})",
            fmt::pct1(v),
            fmt::count(n),
            fmt::count(d)
        );
        if let Some(b) = &f.benchmark {
            s.push_str(&format!(
                "; the benchmark median is {}",
                fmt::pct1(b.median)
            ));
        }
        s.push('.');
        out.push(s);
    }

    let rl = [
        (
            "ind2.relative_likelihood",
            "White applicants were {x} times as likely as BME applicants to be appointed from shortlisting",
        ),
        (
            "ind3.relative_likelihood",
            "BME staff were {x} times as likely as White staff to enter the formal disciplinary process",
        ),
        (
            "ind4.relative_likelihood",
            "White staff were {x} times as likely as BME staff to access non-mandatory training and CPD",
        ),
    ];
    for (metric, text) in rl {
        let Some(f) = p.figure(metric, "", "", "") else {
            continue;
        };
        let Some(v) = f.value else {
            out.push(format!(
                "Indicator {}: the relative likelihood cannot be computed this year (a zero count or a missing figure).",
                f.indicator
            ));
            continue;
        };
        let mut s = text.replace("{x}", &fmt::ratio2(v));
        if let (Some(lo), Some(hi)) = (f.ci_low, f.ci_high) {
            s.push_str(&format!(
                " (95% interval {} to {})",
                fmt::ratio2(lo),
                fmt::ratio2(hi)
            ));
        }
        if let Some(b) = &f.benchmark {
            s.push_str(&format!(
                "; the benchmark median is {}",
                fmt::ratio2(b.median)
            ));
        }
        if let Some(n) = f.national.as_ref().and_then(|n| n.pooled) {
            s.push_str(&format!(" and the national figure {}", fmt::ratio2(n)));
        }
        s.push('.');
        if f.flags.iter().any(|x| x == "small_numbers") {
            s.push_str(" The numbers are small, so this figure is uncertain.");
        }
        out.push(s);
    }

    for ind in 5u8..=8 {
        let metric = format!("ind{ind}.pct");
        let (Some(b), Some(w)) = (
            p.figure(&metric, "", "", "bme"),
            p.figure(&metric, "", "", "white"),
        ) else {
            continue;
        };
        if b.suppressed {
            out.push(format!(
                "Indicator {ind}: fewer than 11 BME staff answered in the {} survey, so the figure is not shown.",
                p.survey_year
            ));
            continue;
        }
        let (Some(bv), Some(wv)) = (b.value, w.value) else {
            continue;
        };
        let mut s = format!(
            "{} of BME staff {} in the {} survey, compared with {} of White staff",
            fmt::pct1(bv),
            survey_phrase(ind),
            p.survey_year,
            fmt::pct1(wv)
        );
        if let Some(m) = &b.benchmark {
            s.push_str(&format!(
                "; the benchmark median for BME staff is {}",
                fmt::pct1(m.median)
            ));
        }
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
        out.push(s);
    }

    for cat in ["voting", "total"] {
        let Some(f) = p.figure("ind9.diff_pp", "", cat, "") else {
            continue;
        };
        let (Some(d), Some(board)) = (
            f.value,
            p.figure("ind9.board_bme_pct", "", cat, "")
                .and_then(|b| b.value),
        ) else {
            continue;
        };
        let wf = board - d;
        out.push(format!(
            "BME members are {} of the {} board against {} of the workforce, a difference of {}.",
            fmt::pct1(board),
            if cat == "voting" { "voting" } else { "whole" },
            fmt::pct1(wf),
            fmt::metric_value("ind9.diff_pp", d)
        ));
        break;
    }
    out
}
