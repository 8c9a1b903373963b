//! Which years `benchmark` must compute: a year whose inputs have not
//! changed since its results were written keeps them.
//!
//! Year Y's results are computed from the current submissions of Y and of
//! Y - 1 (indicator 3's two-year figure, and its national pooling, read the
//! year before), and from what every year shares: the queries and the
//! other tables they read (their parameters, the metric catalogue, the
//! register). The manifest's `results` record keeps a fingerprint of
//! the shared part (`recipe`) and one of each year's submissions
//! (`years`); a change to the recipe recomputes every year, a resubmission
//! for Y recomputes Y and Y + 1.
//!
//! The record's `ledger_state` (what readers compare with the ledger before
//! they show a figure) is set only when every year is current, so results
//! of which only some years were rebuilt (`benchmark --year`) are refused
//! as stale rather than shown beside older years.

use std::collections::BTreeMap;

use datafusion::arrow::csv;

use super::{Params, Result, metrics_batch, organisations_batch, params_batch, query_hashes};
use crate::register::Register;
use crate::warehouse::tables::{self, Submission};

/// A fingerprint of what every year's results depend on besides returns:
/// the query files and the tables they read besides `returns`, exactly as
/// the engine registers them (`params`, `metrics`, `organisations`).
pub fn recipe(register: &Register, params: &Params) -> Result<String> {
    let mut bytes = serde_json::Value::Object(query_hashes())
        .to_string()
        .into_bytes();
    for batch in [
        params_batch(params)?,
        metrics_batch()?,
        organisations_batch(register)?,
    ] {
        csv::Writer::new(&mut bytes).write(&batch)?;
    }
    Ok(crate::ingest::sha256_hex(&bytes))
}

/// Each year's input fingerprint: the current submissions of the year and
/// of the year before.
pub fn year_inputs(ledger: &[Submission]) -> BTreeMap<i32, String> {
    // The current submissions by year, read once (the ledger holds every
    // section ever received: 82,000 rows at `--scale 20`).
    let mut by_year: BTreeMap<i32, Vec<&Submission>> = BTreeMap::new();
    for s in ledger.iter().filter(|s| s.current) {
        if let Some(y) = s.year {
            by_year.entry(y).or_default().push(s);
        }
    }
    by_year
        .iter()
        .map(|(&y, subs)| {
            let before = by_year.get(&(y - 1)).into_iter().flatten();
            (y, tables::ledger_state_of(before.chain(subs).copied()))
        })
        .collect()
}

/// What the manifest says the results held were built from.
#[derive(Debug, Default)]
pub struct Built {
    pub recipe: Option<String>,
    pub years: BTreeMap<i32, String>,
}

impl Built {
    /// Reads the manifest's `results` record (empty for results written
    /// before it kept one per year: every year is then recomputed).
    pub fn read(manifest: &serde_json::Value) -> Built {
        let r = &manifest["results"];
        Built {
            recipe: r["recipe"].as_str().map(str::to_string),
            years: r["years"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(y, v)| Some((y.parse().ok()?, v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The years of `years` whose results are missing or were built from
    /// other inputs than `current` under `recipe`.
    pub fn out_of_date(
        &self,
        recipe: &str,
        years: &[i32],
        current: &BTreeMap<i32, String>,
    ) -> Vec<i32> {
        years
            .iter()
            .copied()
            .filter(|y| {
                self.recipe.as_deref() != Some(recipe)
                    || self
                        .years
                        .get(y)
                        .is_none_or(|fp| current.get(y) != Some(fp))
            })
            .collect()
    }

    /// The record after `written` were computed under `recipe`: their
    /// fingerprints replace the old ones; years built under another recipe
    /// are dropped (they are out of date now).
    pub fn after(
        self,
        recipe: &str,
        written: &[i32],
        current: &BTreeMap<i32, String>,
    ) -> BTreeMap<i32, String> {
        let mut years = if self.recipe.as_deref() == Some(recipe) {
            self.years
        } else {
            BTreeMap::new()
        };
        for y in written {
            if let Some(fp) = current.get(y) {
                years.insert(*y, fp.clone());
            }
        }
        years
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(id: &str, year: i32, current: bool) -> Submission {
        Submission {
            submission_id: id.into(),
            year: Some(year),
            current,
            ..Default::default()
        }
    }

    #[test]
    fn a_resubmission_dirties_its_year_and_the_next() {
        let before = vec![
            sub("a", 2021, true),
            sub("b", 2022, true),
            sub("c", 2023, true),
        ];
        let fp = year_inputs(&before);
        let built = Built {
            recipe: Some("r".into()),
            years: fp.clone(),
        };
        let years = [2021, 2022, 2023];
        assert!(built.out_of_date("r", &years, &fp).is_empty());
        // b superseded by b2: 2022 and 2023 (whose two-year figure reads 2022).
        let after = vec![
            sub("a", 2021, true),
            sub("b", 2022, false),
            sub("b2", 2022, true),
            sub("c", 2023, true),
        ];
        let now = year_inputs(&after);
        assert_eq!(built.out_of_date("r", &years, &now), vec![2022, 2023]);
        // Another recipe: every year.
        assert_eq!(built.out_of_date("s", &years, &fp), vec![2021, 2022, 2023]);
        // A year never built: that year.
        let partial = Built {
            recipe: Some("r".into()),
            years: fp
                .iter()
                .filter(|(y, _)| **y != 2021)
                .map(|(y, v)| (*y, v.clone()))
                .collect(),
        };
        assert_eq!(partial.out_of_date("r", &years, &fp), vec![2021]);
        // After 2022 is rebuilt under another recipe, only 2022 is recorded.
        let kept = built.after("s", &[2022], &now);
        assert_eq!(kept.keys().copied().collect::<Vec<_>>(), vec![2022]);
    }

    #[test]
    fn the_recipe_changes_with_the_register_and_the_parameters() {
        let reg = Register::builtin();
        let p = Params::default();
        let base = recipe(&reg, &p).unwrap();
        assert_eq!(base, recipe(&reg, &p).unwrap());
        let other = Params {
            min_responses: p.min_responses + 1.0,
            ..p.clone()
        };
        assert_ne!(base, recipe(&reg, &other).unwrap());
        let csv = "org_code,org_name,benchmark_group,region,icb_code,icb_name\n\
                   RV9,Humber,Mental Health and Learning Disability,North East and Yorkshire,QOQ,Humber and North Yorkshire\n";
        let small = Register::from_csv(csv, "test").unwrap();
        assert_ne!(base, recipe(&small, &p).unwrap());
    }
}
