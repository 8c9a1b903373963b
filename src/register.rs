//! The organisation register: which trusts exist, their benchmark group, region
//! and ICB. The copy in `data/organisations.csv` is compiled in as the default;
//! `--register FILE` replaces it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The register shipped with wresbench (NHS ODS trust extract, July 2025).
pub const DEFAULT_REGISTER_CSV: &str = include_str!("../data/organisations.csv");

/// The register's columns, in file order.
pub const COLUMNS: [&str; 6] = [
    "org_code",
    "org_name",
    "benchmark_group",
    "region",
    "icb_code",
    "icb_name",
];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The register file given with --register could not be read.
    #[error("cannot read the register {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A line of the register is wrong (a bad ODS code, a missing column); says which and why.
    #[error("register {origin}, line {line}: {message}")]
    Invalid {
        origin: String,
        line: u64,
        message: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub org_code: String,
    pub org_name: String,
    pub benchmark_group: String,
    pub region: String,
    pub icb_code: String,
    pub icb_name: String,
}

/// Organisations by code (codes are matched case-insensitively, stored upper case).
#[derive(Debug, Clone, Default)]
pub struct Register {
    orgs: BTreeMap<String, Organisation>,
    /// Where it came from, for messages and provenance.
    pub origin: String,
}

/// An ODS organisation code as trusts have them: 3 to 5 ASCII letters and
/// digits. Checked where a register is read, so every path built from a code
/// (packs are written to `OUT/YYYY/trusts/CODE/`) stays inside its folder.
pub fn is_valid_code(code: &str) -> bool {
    (3..=5).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Register {
    /// The compiled-in register.
    pub fn builtin() -> Self {
        // The shipped file is checked by a unit test, so this cannot fail at runtime.
        Self::from_csv(DEFAULT_REGISTER_CSV, "built-in data/organisations.csv")
            .expect("the built-in register is valid (checked by tests)")
    }

    /// `path` if given, else the built-in register.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        match path {
            None => Ok(Self::builtin()),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| Error::Io {
                    path: p.to_path_buf(),
                    source,
                })?;
                Self::from_csv(&text, &p.display().to_string())
            }
        }
    }

    pub fn from_csv(text: &str, origin: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let invalid = |line: u64, message: String| Error::Invalid {
            origin: origin.to_string(),
            line,
            message,
        };
        let headers = rdr
            .headers()
            .map_err(|e| invalid(1, format!("unreadable header: {e}")))?
            .clone();
        let mut idx = [0usize; 6];
        for (i, col) in COLUMNS.iter().enumerate() {
            idx[i] = headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(col))
                .ok_or_else(|| {
                    invalid(
                        1,
                        format!("missing column `{col}`; expected {}", COLUMNS.join(",")),
                    )
                })?;
        }
        let mut orgs = BTreeMap::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                invalid(
                    e.position().map_or(0, |p| p.line()),
                    format!("malformed CSV: {e}"),
                )
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let get = |i: usize| rec.get(idx[i]).unwrap_or("").to_string();
            let org = Organisation {
                org_code: get(0).to_ascii_uppercase(),
                org_name: get(1),
                benchmark_group: get(2),
                region: get(3),
                icb_code: get(4),
                icb_name: get(5),
            };
            if !is_valid_code(&org.org_code) {
                return Err(invalid(
                    line,
                    format!(
                        "org_code `{}` is not an ODS code (3 to 5 letters and digits, such as RV9 or RWE); fix that line",
                        get(0)
                    ),
                ));
            }
            if org.benchmark_group.is_empty() || org.region.is_empty() {
                return Err(invalid(
                    line,
                    format!("{} has no benchmark_group or region", org.org_code),
                ));
            }
            if orgs.insert(org.org_code.clone(), org).is_some() {
                return Err(invalid(line, format!("org_code {} appears twice", get(0))));
            }
        }
        Ok(Register {
            orgs,
            origin: origin.to_string(),
        })
    }

    pub fn get(&self, code: &str) -> Option<&Organisation> {
        self.orgs.get(&code.trim().to_ascii_uppercase())
    }

    pub fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    /// Organisations in code order.
    pub fn iter(&self) -> impl Iterator<Item = &Organisation> {
        self.orgs.values()
    }

    pub fn len(&self) -> usize {
        self.orgs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.orgs.is_empty()
    }

    /// The register as CSV (same columns as `data/organisations.csv`).
    pub fn to_csv(&self) -> String {
        // serialize() writes the header (the field names, = COLUMNS) first.
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to a Vec cannot fail.
        for o in self.iter() {
            let _ = w.serialize(o);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Adds or replaces an organisation (used by `generate --scale`).
    pub fn insert(&mut self, org: Organisation) {
        self.orgs.insert(org.org_code.clone(), org);
    }
}

/// A name made safe for file names and URLs: `North East and Yorkshire` ->
/// `north-east-and-yorkshire`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_register_holds_the_205_trusts() {
        let r = Register::builtin();
        assert_eq!(r.len(), 205);
        let humber = r.get("rv9").expect("Humber is in the register");
        assert_eq!(humber.org_name, "Humber Teaching NHS Foundation Trust");
        assert!(humber.benchmark_group.starts_with("Mental Health"));
        assert!(r.contains("G6V2S"));
        let regions: std::collections::BTreeSet<_> = r.iter().map(|o| &o.region).collect();
        assert_eq!(regions.len(), 7);
    }

    #[test]
    fn register_round_trips_through_csv() {
        let r = Register::builtin();
        let again = Register::from_csv(&r.to_csv(), "again").unwrap();
        assert_eq!(again.len(), r.len());
        assert_eq!(again.get("RV9"), r.get("RV9"));
    }

    #[test]
    fn bad_register_names_the_line() {
        let err = Register::from_csv(
            "org_code,org_name,benchmark_group,region,icb_code,icb_name\nAAA,B,G,R,I,N\nAAA,B,G,R,I,N\n",
            "x.csv",
        )
        .unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(err.to_string().contains("appears twice"), "{err}");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("North East and Yorkshire"), "north-east-and-yorkshire");
        assert_eq!(
            slug("Acute and Acute & Community Trusts"),
            "acute-and-acute-community-trusts"
        );
    }
}
