//! Atomic changes to the warehouse folder, and the lock that keeps runs apart.
//!
//! A change is staged in full under `.staging-<id>/new/`, then committed by
//! moving each file into place, the file it replaces first moved aside to
//! `.staging-<id>/old/`. A journal written before the first move and deleted
//! after the last marks the commit: if a run dies with the journal present,
//! the next run puts every old file back, so a failed or killed run leaves the
//! warehouse exactly as it was.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Error, Result};

const JOURNAL: &str = ".journal.json";
const LOCK: &str = ".lock";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An exclusive lock on a warehouse, held for the life of the value.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock, creating the warehouse folder if needed, and recovers
    /// from any run that died mid-commit.
    pub fn acquire(root: &Path) -> Result<Lock> {
        fs::create_dir_all(root).map_err(io(root))?;
        let path = root.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Locked(root.to_path_buf()));
            }
            Err(fs::TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        recover(root)?;
        Ok(Lock { _file: file })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    staging: String,
    entries: Vec<String>,
}

/// Puts back what an interrupted commit moved, and removes abandoned staging folders.
pub fn recover(root: &Path) -> Result<()> {
    let jpath = root.join(JOURNAL);
    if jpath.exists() {
        let text = fs::read_to_string(&jpath).map_err(io(&jpath))?;
        let journal: Journal = serde_json::from_str(&text).map_err(|e| Error::Corrupt {
            path: jpath.clone(),
            message: format!("unreadable commit journal ({e}); restore the warehouse from backup"),
        })?;
        let staging = root.join(&journal.staging);
        for rel in journal.entries.iter().rev() {
            let target = root.join(rel);
            let old = staging.join("old").join(rel);
            let new = staging.join("new").join(rel);
            if old.exists() {
                fs::rename(&old, &target).map_err(io(&target))?;
            } else if !new.exists() && target.exists() {
                // It had no previous version and was already moved in.
                fs::remove_file(&target).map_err(io(&target))?;
            }
        }
        fs::remove_file(&jpath).map_err(io(&jpath))?;
        tracing::warn!("rolled back an interrupted run in {}", root.display());
    }
    // Staging folders of runs that never reached their commit.
    if let Ok(entries) = fs::read_dir(root) {
        for e in entries.flatten() {
            let name = e.file_name();
            if name.to_string_lossy().starts_with(".staging-") {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(())
}

/// Where to make a failure happen, for tests of atomicity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPoint {
    /// Fail while staging, after this many files are staged.
    AfterStaged(usize),
    /// Stop dead (no clean-up, as if killed) after this many files are moved into place.
    MidCommit(usize),
}

/// A staged change to the warehouse. Dropping it without `commit` discards it.
#[derive(Debug)]
pub struct Txn {
    root: PathBuf,
    id: String,
    entries: Vec<String>,
    fail: Option<FailPoint>,
    committed: bool,
}

impl Txn {
    /// Starts a change; the caller must hold the [`Lock`].
    pub fn begin(root: &Path, _lock: &Lock, fail: Option<FailPoint>) -> Result<Txn> {
        let id = format!(
            ".staging-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        );
        let dir = root.join(&id).join("new");
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Txn {
            root: root.to_path_buf(),
            id,
            entries: Vec::new(),
            fail,
            committed: false,
        })
    }

    /// The path to write the staged version of `rel` to (parents created).
    pub fn path_for(&mut self, rel: &str) -> Result<PathBuf> {
        if let Some(FailPoint::AfterStaged(n)) = self.fail
            && self.entries.len() >= n
        {
            return Err(Error::Injected(format!("after {n} staged files")));
        }
        let p = self.root.join(&self.id).join("new").join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        if !self.entries.iter().any(|e| e == rel) {
            self.entries.push(rel.to_string());
        }
        Ok(p)
    }

    /// Stages `bytes` as the new content of `rel`.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        let p = self.path_for(rel)?;
        fs::write(&p, bytes).map_err(io(&p))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Moves every staged file into place, atomically as a whole.
    pub fn commit(mut self) -> Result<()> {
        let staging = self.root.join(&self.id);
        // Make the staged data durable before anything points at it.
        for rel in &self.entries {
            let p = staging.join("new").join(rel);
            File::open(&p).and_then(|f| f.sync_all()).map_err(io(&p))?;
        }
        let journal = Journal {
            staging: self.id.clone(),
            entries: self.entries.clone(),
        };
        let jpath = self.root.join(JOURNAL);
        let jtmp = staging.join("journal.tmp");
        let text = serde_json::to_string(&journal).map_err(|e| Error::Corrupt {
            path: jpath.clone(),
            message: e.to_string(),
        })?;
        fs::write(&jtmp, text).map_err(io(&jtmp))?;
        File::open(&jtmp)
            .and_then(|f| f.sync_all())
            .map_err(io(&jtmp))?;
        fs::rename(&jtmp, &jpath).map_err(io(&jpath))?;

        if let Err(e) = self.move_into_place(&staging) {
            // Leave staging in place either way: recovery needs `old/`.
            self.committed = true;
            if !matches!(e, Error::Injected(_)) {
                // A real failure: put everything back now rather than at the next run.
                recover(&self.root)?;
            }
            return Err(e);
        }
        if let Ok(d) = File::open(&self.root) {
            let _ = d.sync_all();
        }
        // The commit point: with the journal gone, the new state stands.
        fs::remove_file(&jpath).map_err(io(&jpath))?;
        self.committed = true;
        let _ = fs::remove_dir_all(&staging);
        Ok(())
    }
}

impl Txn {
    fn move_into_place(&self, staging: &Path) -> Result<()> {
        for (i, rel) in self.entries.iter().enumerate() {
            if let Some(FailPoint::MidCommit(n)) = self.fail
                && i >= n
            {
                // Simulate a kill: leave everything as it is, journal included.
                return Err(Error::Injected(format!("killed after {n} files moved")));
            }
            let target = self.root.join(rel);
            let new = staging.join("new").join(rel);
            if target.exists() {
                let old = staging.join("old").join(rel);
                if let Some(parent) = old.parent() {
                    fs::create_dir_all(parent).map_err(io(parent))?;
                }
                fs::rename(&target, &old).map_err(io(&target))?;
            } else if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(io(parent))?;
            }
            fs::rename(&new, &target).map_err(io(&target))?;
        }
        Ok(())
    }
}

impl Drop for Txn {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(self.root.join(&self.id));
        }
    }
}
