//! The national figures the synthetic data is calibrated to, year by year.
//!
//! One table: the published figures of spec/indicators.md, with the years
//! between published ones filled by linear interpolation and 2025
//! extrapolated; each figure says which it is, so the closing table of the
//! generate tests can compare with the published ones only.

/// A calibration target: published, or filled in between published years.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fig {
    Published(f64),
    Filled(f64),
}

use Fig::{Filled as F, Published as P};

impl Fig {
    fn value(self) -> f64 {
        match self {
            P(v) | F(v) => v,
        }
    }

    fn published(self) -> Option<f64> {
        match self {
            P(v) => Some(v),
            F(_) => None,
        }
    }
}

/// Year; BME % of the workforce; BME % of board members; indicator 2's and
/// indicator 3's relative likelihoods (national, pooled).
const TARGETS: [(i32, [Fig; 4]); 11] = [
    (2015, [F(17.2), F(7.0), F(1.60), F(1.58)]),
    (2016, [P(17.7), P(7.1), P(1.57), P(1.56)]),
    (2017, [F(18.3), F(7.5), F(1.53), F(1.43)]),
    (2018, [F(19.0), F(7.9), F(1.50), F(1.30)]),
    (2019, [P(19.7), P(8.4), P(1.46), F(1.22)]),
    (2020, [P(21.0), P(10.0), P(1.61), P(1.16)]),
    (2021, [P(22.4), F(11.9), P(1.61), P(1.14)]),
    (2022, [P(24.2), F(13.7), P(1.54), P(1.14)]),
    (2023, [P(26.4), P(15.6), P(1.59), P(1.03)]),
    (2024, [P(28.6), P(16.5), F(1.56), F(1.03)]),
    (2025, [F(30.4), F(17.3), F(1.53), F(1.02)]),
];

/// The year's row; years outside the table take the nearest one.
fn row(year: i32) -> [Fig; 4] {
    let first = TARGETS[0].0;
    let i = (year.clamp(first, TARGETS[TARGETS.len() - 1].0) - first) as usize;
    TARGETS[i].1
}

/// The figures a year is calibrated to: (BME % of workforce, BME % of board
/// members, indicator 2 RL, indicator 3 RL).
pub fn national_targets(year: i32) -> (f64, f64, f64, f64) {
    let [a, b, c, d] = row(year);
    (a.value(), b.value(), c.value(), d.value())
}

/// The same four, only where published for that very year.
pub fn published(year: i32) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    if !TARGETS.iter().any(|(y, _)| *y == year) {
        return (None, None, None, None);
    }
    let [a, b, c, d] = row(year);
    (a.published(), b.published(), c.published(), d.published())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_one_row_per_year_in_order() {
        for (i, (y, _)) in TARGETS.iter().enumerate() {
            assert_eq!(*y, 2015 + i as i32);
        }
    }

    #[test]
    fn published_figures_are_the_calibration_targets_of_their_year() {
        assert_eq!(national_targets(2021), (22.4, 11.9, 1.61, 1.14));
        assert_eq!(published(2021), (Some(22.4), None, Some(1.61), Some(1.14)));
        assert_eq!(published(2017), (None, None, None, None));
        // Outside the table: the nearest year's targets, nothing published.
        assert_eq!(national_targets(2031), national_targets(2025));
        assert_eq!(published(2031), (None, None, None, None));
    }
}
