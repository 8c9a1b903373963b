//! What the warehouse holds: one committed snapshot, read by every reader.
//!
//! The shape delta-rs and Iceberg use. Data files are written once, under
//! names no other commit uses (`submissions.v000008-4711.parquet`), and never
//! changed. A commit is one atomic rename of a small JSON file,
//! `_snapshots/00000000000000000008.json`, that lists the live file behind
//! each logical name (`submissions.parquet`, `returns/year=2021/returns.parquet`,
//! `results/org_metrics/year=2021/org_metrics.parquet`), with the manifest
//! (tool, query hashes, runs, what the results were built from) and whether
//! the data is synthetic. The highest snapshot is the warehouse.
//!
//! So a reader opens exactly the files its snapshot lists: a stray file (a
//! "conflicted copy") is never read, a listed file that is missing is an
//! error naming it, and a commit in progress is invisible until its rename.
//! Files no recent snapshot lists are removed by the next writer under the
//! lock (see `txn::vacuum`); that only ever deletes files nothing refers to,
//! so a crash while removing them is finished by the next run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Error, Result, layout};

/// The folder of snapshot files.
pub const DIR: &str = "_snapshots";

/// One committed state of the warehouse.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Snapshot {
    /// 1, 2, 3... (0 for an empty warehouse, or one written by wresbench 0.1
    /// before snapshots existed).
    pub version: u64,
    /// Logical name -> the file holding it now, both relative to the root.
    pub files: BTreeMap<String, String>,
    /// Made from `wresbench generate` output: everything says "synthetic data".
    #[serde(default)]
    pub synthetic: bool,
    /// Tool, query hashes, runs and what the results were built from.
    #[serde(default)]
    pub manifest: serde_json::Value,
}

/// The snapshot file of `version`.
pub fn file_name(version: u64) -> String {
    format!("{version:020}.json")
}

/// Versions of the snapshot files present, lowest first. Temporary files of
/// a commit that never finished do not count.
pub fn versions(root: &Path) -> Result<Vec<u64>> {
    let dir = root.join(DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::Io { path: dir, source }),
    };
    let mut v: Vec<u64> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let stem = name.to_str()?.strip_suffix(".json")?.to_string();
            (stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_digit()))
                .then(|| stem.parse().ok())
                .flatten()
        })
        .collect();
    v.sort_unstable();
    Ok(v)
}

impl Snapshot {
    /// The warehouse's current snapshot; an empty one when nothing was ever
    /// committed. Every file it lists must exist.
    pub fn load(root: &Path) -> Result<Snapshot> {
        let snap = match versions(root)?.last() {
            Some(&v) => Snapshot::read(root, v)?,
            None => Snapshot::legacy(root)?,
        };
        for rel in snap.files.values() {
            let path = root.join(rel);
            if !path.is_file() {
                return Err(Error::Corrupt {
                    path,
                    message: format!(
                        "snapshot {} lists this file but it is missing; restore the warehouse folder from backup (nothing was changed)",
                        snap.version
                    ),
                });
            }
            if rel.ends_with(".parquet") && !is_complete_parquet(&path)? {
                // DataFusion skips an empty file as no rows: a truncated
                // year of results would silently become "the previous year".
                return Err(Error::Corrupt {
                    path,
                    message: format!(
                        "snapshot {} lists this file but it is not a complete Parquet file (empty or cut short); restore the warehouse folder from backup (nothing was changed)",
                        snap.version
                    ),
                });
            }
        }
        Ok(snap)
    }

    /// Snapshot `version` as written.
    pub fn read(root: &Path, version: u64) -> Result<Snapshot> {
        let path = root.join(DIR).join(file_name(version));
        let text = fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let snap: Snapshot = serde_json::from_str(&text).map_err(|e| Error::Corrupt {
            path: path.clone(),
            message: format!("unreadable snapshot ({e}); restore the warehouse folder from backup"),
        })?;
        if snap.version != version {
            return Err(Error::Corrupt {
                path,
                message: format!("holds version {}, not {version}", snap.version),
            });
        }
        Ok(snap)
    }

    /// A warehouse written by wresbench 0.1 (fixed file names, no
    /// snapshots), read as version 0: only the names 0.1 wrote count, so a
    /// stray file beside them is still ignored. Its `manifest.json` must parse.
    fn legacy(root: &Path) -> Result<Snapshot> {
        let mut snap = Snapshot::default();
        let mut add = |rel: String| {
            if root.join(&rel).is_file() {
                snap.files.insert(rel.clone(), rel);
            }
        };
        add(layout::SUBMISSIONS.to_string());
        add(layout::MESSAGES.to_string());
        add(layout::REJECTS.to_string());
        for y in super::partition_years(&root.join(layout::RETURNS_DIR)) {
            add(layout::returns_file(y));
        }
        if let Ok(tables) = fs::read_dir(root.join(layout::RESULTS_DIR)) {
            let mut names: Vec<String> = tables
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .collect();
            names.sort();
            for t in names {
                for y in super::partition_years(&root.join(layout::RESULTS_DIR).join(&t)) {
                    add(layout::result_file(&t, y));
                }
            }
        }
        let manifest = root.join(layout::MANIFEST);
        if manifest.is_file() {
            let text = fs::read_to_string(&manifest).map_err(|source| Error::Io {
                path: manifest.clone(),
                source,
            })?;
            snap.manifest = serde_json::from_str(&text).map_err(|e| Error::Corrupt {
                path: manifest.clone(),
                message: format!(
                    "unreadable manifest ({e}); it holds the warehouse's history, so it is not replaced: restore it from backup"
                ),
            })?;
        }
        snap.synthetic = root.join(layout::SYNTHETIC).is_file();
        Ok(snap)
    }

    /// The file behind a logical name, when the snapshot has one.
    pub fn path(&self, root: &Path, logical: &str) -> Option<PathBuf> {
        self.files.get(logical).map(|p| root.join(p))
    }

    /// The ledger of this snapshot (empty in a new warehouse). Returns
    /// without a ledger are an error: counting them again would double them.
    pub fn ledger(&self, root: &Path) -> Result<Vec<super::tables::Submission>> {
        match self.path(root, layout::SUBMISSIONS) {
            Some(p) => super::tables::read_submissions(&p),
            None if self.files.is_empty() => Ok(Vec::new()),
            None => Err(Error::Corrupt {
                path: root.join(layout::SUBMISSIONS),
                message: "the warehouse holds returns but no ledger; restore the warehouse folder from backup".into(),
            }),
        }
    }

    /// Every message of this snapshot (none without a ledger). A ledger
    /// without its messages is an error: data-quality sections would be empty.
    pub fn messages(&self, root: &Path) -> Result<Vec<super::tables::MessageRow>> {
        match self.path(root, layout::MESSAGES) {
            Some(p) => super::tables::read_messages(&p),
            None if self.path(root, layout::SUBMISSIONS).is_none() => Ok(Vec::new()),
            None => Err(Error::Corrupt {
                path: root.join(layout::MESSAGES),
                message: "the warehouse has a ledger but no messages; restore the warehouse folder from backup".into(),
            }),
        }
    }

    /// Files whose logical names start with `prefix`, in name order
    /// (`returns/` gives every year's returns).
    pub fn paths_under(&self, root: &Path, prefix: &str) -> Vec<PathBuf> {
        self.files
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(_, p)| root.join(p))
            .collect()
    }
}

/// True when the file ends with Parquet's footer magic (`PAR1`) and is long
/// enough to hold a header and footer: a file cut short or emptied is not.
fn is_complete_parquet(path: &Path) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    if len < 12 {
        return Ok(false);
    }
    let mut tail = [0u8; 4];
    f.seek(SeekFrom::End(-4)).map_err(io)?;
    f.read_exact(&mut tail).map_err(io)?;
    Ok(&tail == b"PAR1")
}

/// The physical name of a logical file written by the commit of `version`:
/// `returns/year=2021/returns.parquet` -> `returns/year=2021/returns.v000008-4711.parquet`.
pub fn physical_name(logical: &str, version: u64, tag: &str) -> String {
    let (dir, file) = logical.rsplit_once('/').unwrap_or(("", logical));
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, "dat"));
    let name = format!("{stem}.v{version:06}-{tag}.{ext}");
    if dir.is_empty() {
        name
    } else {
        format!("{dir}/{name}")
    }
}

/// True for a file name `physical_name` makes (only such files are ever
/// removed, so nothing a person put in the folder is).
pub fn is_data_file_name(name: &str) -> bool {
    name.split('.').any(|part| {
        part.strip_prefix('v')
            .and_then(|r| r.split_once('-'))
            .is_some_and(|(v, tag)| {
                v.len() >= 6
                    && v.bytes().all(|b| b.is_ascii_digit())
                    && !tag.is_empty()
                    && tag.bytes().all(|b| b.is_ascii_alphanumeric())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn physical_names_are_recognised_and_nothing_else_is() {
        let p = physical_name("returns/year=2021/returns.parquet", 8, "4711");
        assert_eq!(p, "returns/year=2021/returns.v000008-4711.parquet");
        assert!(is_data_file_name("returns.v000008-4711.parquet"));
        assert!(is_data_file_name(&physical_name("rejects.csv", 12, "a1")));
        assert!(!is_data_file_name("returns.parquet"));
        assert!(!is_data_file_name("returns (conflicted copy).parquet"));
        assert!(!is_data_file_name("notes.v2-draft.txt"));
    }
}
