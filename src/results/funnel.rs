//! Funnel plots of the relative likelihoods (spec/indicators.md, "Funnel
//! plots"): built once per year and metric, marked for one trust at a time.

use serde::Serialize;

use super::Results;
use crate::metric::Metric;
use crate::stats::{self, RrKind};

/// Funnel plot of a relative likelihood (spec/indicators.md, "Funnel plots").
#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub metric: Metric,
    /// The national pooled ratio the limits are drawn around.
    pub target: f64,
    pub points: Vec<FunnelPoint>,
    pub not_plotted: NotPlotted,
    /// [precision, low 95%, high 95%, low 99.8%, high 99.8%] along the x axis.
    pub limits: Vec<[f64; 5]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunnelPoint {
    /// Precision, 1 / Katz variance of ln RR (others' rounded to 2 significant figures).
    pub x: f64,
    pub y: f64,
    pub this_trust: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct NotPlotted {
    pub zero: usize,
    pub infinite: usize,
    pub small_counts: usize,
}

impl Results {
    /// Funnel plot of a relative likelihood for one year (spec/indicators.md,
    /// "Funnel plots"): every trust at x = its own precision 1 / var(ln RR)
    /// (Katz), y = RR, limits exp(ln theta -/+ z sqrt(1 / x)) around the
    /// national pooled ratio theta for z = 1.96 and 3.09. Zero and infinite
    /// ratios are counted under the plot, not plotted. Disclosure control:
    /// another trust whose counts include 1 to min_count - 1 is left out (it
    /// still counts in theta), and other trusts' x are rounded to two
    /// significant figures. Built once per year and metric; [`Funnel::for_trust`]
    /// marks one trust.
    pub fn funnel(&self, metric: Metric, year: i32) -> Option<FunnelData> {
        let theta = self.national(year, (metric.code(), "", "", ""))?.pooled?;
        if !(theta > 0.0 && theta.is_finite()) {
            return None;
        }
        let small = |v: f64| v >= 1.0 && v < self.params.min_count;
        let mut d = FunnelData {
            metric,
            target: theta,
            points: Vec::new(),
        };
        for org in self.orgs_in(year) {
            let Some(counts) = self.rr_counts(org, year, metric) else {
                continue;
            };
            let kind = counts.kind();
            if kind == RrKind::Undefined {
                continue;
            }
            d.points.push(RawPoint {
                org: org.to_string(),
                kind,
                x: 1.0 / counts.katz_variance(),
                y: counts.ratio(),
                small: [counts.a, counts.n1, counts.c, counts.n2]
                    .into_iter()
                    .any(small),
            });
        }
        (!d.points.is_empty()).then_some(d)
    }
}

/// A relative likelihood's funnel for one year, with every trust's point.
#[derive(Debug, Clone)]
pub struct FunnelData {
    pub metric: Metric,
    pub target: f64,
    points: Vec<RawPoint>,
}

#[derive(Debug, Clone)]
struct RawPoint {
    org: String,
    kind: RrKind,
    x: f64,
    y: f64,
    /// Counts of 1 to min_count - 1 among a, n1, c, n2.
    small: bool,
}

impl FunnelData {
    /// The funnel as one trust's pack shows it: its own point exact, other
    /// trusts' points under disclosure control.
    pub fn for_trust(&self, this_org: &str) -> Funnel {
        let mut points = Vec::new();
        let mut not_plotted = NotPlotted::default();
        for p in &self.points {
            let this = p.org == this_org;
            match p.kind {
                RrKind::Zero => not_plotted.zero += 1,
                RrKind::Infinite => not_plotted.infinite += 1,
                _ if p.small && !this => not_plotted.small_counts += 1,
                _ => points.push(FunnelPoint {
                    x: if this { p.x } else { stats::round_sig(p.x, 2) },
                    y: p.y,
                    this_trust: this,
                }),
            }
        }
        points.sort_by(|a, b| {
            a.x.total_cmp(&b.x)
                .then(a.y.total_cmp(&b.y))
                .then(a.this_trust.cmp(&b.this_trust))
        });
        let xmax = points.iter().map(|p| p.x).fold(10.0, f64::max);
        let t = self.target;
        let limits = (0..=40)
            .map(|i| {
                let x = 1.0 * (xmax / 1.0).powf(f64::from(i) / 40.0);
                let se = (1.0 / x).sqrt();
                [
                    x,
                    t * (-stats::Z95 * se).exp(),
                    t * (stats::Z95 * se).exp(),
                    t * (-stats::Z998 * se).exp(),
                    t * (stats::Z998 * se).exp(),
                ]
            })
            .collect();
        Funnel {
            metric: self.metric,
            target: t,
            points,
            not_plotted,
            limits,
        }
    }
}

/// The funnels of one year, built once and shared by every trust's pack.
pub fn year_funnels(r: &Results, year: i32) -> Vec<FunnelData> {
    [
        Metric::Ind2RelativeLikelihood,
        Metric::Ind3RelativeLikelihood,
        Metric::Ind4RelativeLikelihood,
    ]
    .into_iter()
    .filter_map(|m| r.funnel(m, year))
    .collect()
}
