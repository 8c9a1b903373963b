//! Commits to the warehouse, the lock that keeps writers apart, and recovery.
//!
//! A change writes new data files under names of its own (see
//! `snapshot::physical_name`), syncs them, then commits by renaming one
//! snapshot file into `_snapshots/` (see [`super::snapshot`]). Before the
//! rename nothing refers to the new files; after it, the new snapshot is the
//! warehouse. Whatever a crash leaves behind is files no snapshot lists, and
//! the next writer removes those under the lock: recovery never restores or
//! rewrites anything, so a crash during recovery is finished by the next run.
//!
//! Fail points: with `WRESBENCH_FAIL_AT=<point>` in the environment the
//! process aborts at that point (no clean-up, as a `kill -9` would), for the
//! crash tests. Points, in order: `commit:files-written`, `commit:synced`,
//! `commit:snapshot-written`, `commit:renamed`, `commit:deleted-one`,
//! `commit:done`; recovery (when a run takes the lock): `recover:start`,
//! `recover:deleted-one`, `recover:done`.
//!
//! Readers take a shared lock on `.readers` ([`ReadGuard`]) and a writer
//! deletes nothing while one is held, so a reader's snapshot stays whole for
//! as long as it reads.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::snapshot::{self, Snapshot};
use super::{Error, Result, layout};

const LOCK: &str = ".lock";
/// Readers hold a shared lock on this file while they read; a writer removes
/// unreferenced files only when it can take it exclusively (no reader).
const READERS: &str = ".readers";
/// Data files of this many latest snapshots are kept, so a reader that
/// resolved the previous snapshot can finish while a writer commits.
const KEEP_SNAPSHOT_FILES: usize = 2;
/// Snapshot files kept (they are small; older ones name deleted files).
const KEEP_SNAPSHOTS: usize = 20;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Aborts the process here when `WRESBENCH_FAIL_AT` names this point (the
/// one place the crash tests' fail points are read).
pub fn fail_point(name: &str) {
    if std::env::var_os("WRESBENCH_FAIL_AT").is_some_and(|v| v == name) {
        eprintln!("wresbench: aborting at fail point {name} (WRESBENCH_FAIL_AT)");
        std::process::abort();
    }
}

/// An exclusive lock on a warehouse, held for the life of the value.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock, creating the warehouse folder if needed, and removes
    /// what any earlier run that died left behind.
    pub fn acquire(root: &Path) -> Result<Lock> {
        fs::create_dir_all(root).map_err(io(root))?;
        // A lock just released can look held for an instant: a process that
        // forked between open and exec shares the descriptor until its exec.
        // So try for half a second before calling the warehouse busy.
        let started = std::time::Instant::now();
        let file = loop {
            if let Some(f) = try_lock_exclusive(&root.join(LOCK))? {
                break f;
            }
            if started.elapsed() > std::time::Duration::from_millis(500) {
                return Err(Error::Locked(root.to_path_buf()));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        recover(root)?;
        Ok(Lock { _file: file })
    }
}

/// Opens (creating) a lock file and takes it exclusively; None when another
/// holder has it.
fn try_lock_exclusive(path: &Path) -> Result<Option<File>> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io(path))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(io(path)(e)),
    }
}

/// Held by a reader (`sql`, `export`, `peers`) for as long as it reads: no
/// file is removed meanwhile, whatever is committed, so a reader never finds
/// the files of its snapshot gone. It never blocks a writer: a writer that
/// finds readers leaves its clean-up to a later run.
#[derive(Debug)]
pub struct ReadGuard {
    _file: Option<File>,
}

impl ReadGuard {
    /// Takes the shared lock (waiting only while a writer is removing files).
    /// Best effort: a folder a reader may not write to is read without it.
    pub fn acquire(root: &Path) -> ReadGuard {
        let path = root.join(READERS);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .or_else(|_| File::open(&path))
            .ok();
        if let Some(f) = &file
            && let Err(e) = f.lock_shared()
        {
            tracing::warn!("{}: reading without the readers' lock: {e}", path.display());
        }
        ReadGuard { _file: file }
    }
}

/// Removes what interrupted runs left: temporary snapshot files and data
/// files no recent snapshot lists. Idempotent; call under the lock.
pub fn recover(root: &Path) -> Result<()> {
    fail_point("recover:start");
    legacy_recover(root)?;
    vacuum(root, "recover")?;
    refresh_rejects_copy(root)?;
    fail_point("recover:done");
    Ok(())
}

/// Deletes data files (only names `snapshot::physical_name` makes) that none
/// of the latest snapshots lists, temporary snapshot files, raw copies an
/// ingest was killed while writing, and snapshot files beyond the last
/// `KEEP_SNAPSHOTS`.
fn vacuum(root: &Path, stage: &str) -> Result<()> {
    let versions = snapshot::versions(root)?;
    let snaps_dir = root.join(snapshot::DIR);
    remove_files_where(&snaps_dir, |p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".tmp-"))
    })?;
    // No reader opens a raw copy in progress, and no writer but this one
    // (it holds the lock) is writing one: any left is a killed run's.
    remove_files_where(&root.join(layout::RAW_DIR), |p| {
        p.extension()
            .is_some_and(|x| x.to_string_lossy().starts_with(layout::RAW_IN_PROGRESS))
    })?;
    if versions.is_empty() {
        return Ok(());
    }
    // Held until the end of the clean-up; readers arriving meanwhile wait.
    let Some(_readers) = try_lock_exclusive(&root.join(READERS))? else {
        tracing::info!("readers are active: unreferenced files are left for a later run");
        return Ok(());
    };
    let mut keep: BTreeSet<PathBuf> = BTreeSet::new();
    for v in versions.iter().rev().take(KEEP_SNAPSHOT_FILES) {
        // An unreadable snapshot stops the clean-up: never delete on doubt.
        let s = Snapshot::read(root, *v)?;
        keep.extend(s.files.values().map(|p| root.join(p)));
    }
    let mut garbage = Vec::new();
    collect_data_files(root, root, &mut garbage)?;
    garbage.retain(|p| !keep.contains(p));
    garbage.sort();
    for (i, p) in garbage.iter().enumerate() {
        fs::remove_file(p).map_err(io(p))?;
        if i == 0 {
            fail_point(&format!("{stage}:deleted-one"));
        }
    }
    if versions.len() > KEEP_SNAPSHOTS {
        for v in &versions[..versions.len() - KEEP_SNAPSHOTS] {
            let p = snaps_dir.join(snapshot::file_name(*v));
            fs::remove_file(&p).map_err(io(&p))?;
        }
    }
    Ok(())
}

/// Deletes the files directly in `dir` whose path `doomed` picks (nothing
/// when `dir` does not exist).
fn remove_files_where(dir: &Path, doomed: impl Fn(&Path) -> bool) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let p = e.path();
        if doomed(&p) && e.file_type().is_ok_and(|t| t.is_file()) {
            fs::remove_file(&p).map_err(io(&p))?;
        }
    }
    Ok(())
}

/// Every file under `dir` with a data-file name, outside `raw/` and `_snapshots/`.
fn collect_data_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            let name = e.file_name();
            if dir == root && (name == layout::RAW_DIR || name == snapshot::DIR) {
                continue;
            }
            collect_data_files(root, &p, out)?;
        } else if kind.is_file() && snapshot::is_data_file_name(&e.file_name().to_string_lossy()) {
            out.push(p);
        }
    }
    Ok(())
}

/// `rejects.csv`, the people's copy of the current snapshot's rejects report,
/// replaced atomically (written beside, then renamed).
fn refresh_rejects_copy(root: &Path) -> Result<()> {
    let snap = match snapshot::versions(root)?.last() {
        Some(&v) => Snapshot::read(root, v)?,
        None => return Ok(()),
    };
    let Some(src) = snap.files.get(layout::REJECTS) else {
        return Ok(());
    };
    if src == layout::REJECTS {
        return Ok(());
    }
    let (src, dst) = (root.join(src), root.join(layout::REJECTS));
    let bytes = fs::read(&src).map_err(io(&src))?;
    if fs::read(&dst).ok().as_deref() == Some(&bytes[..]) {
        return Ok(());
    }
    let tmp = root.join(".rejects.csv.tmp");
    fs::write(&tmp, &bytes).map_err(io(&tmp))?;
    fs::rename(&tmp, &dst).map_err(io(&dst))
}

/// wresbench 0.1 committed by moving files under a journal; a 0.1 run killed
/// mid-commit left one. Puts back what it moved, once, before any snapshot.
fn legacy_recover(root: &Path) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct Journal {
        staging: String,
        entries: Vec<String>,
    }
    let jpath = root.join(".journal.json");
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
                fs::remove_file(&target).map_err(io(&target))?;
            }
        }
        fs::remove_file(&jpath).map_err(io(&jpath))?;
    }
    if let Ok(entries) = fs::read_dir(root) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".staging-") {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Makes `files`, and the folders that list them, durable. On Linux one
/// `syncfs(2)` of the warehouse's file system does it for any number of
/// files: an ingest of 2,060 returns made 2,076 fsyncs, a tenth of its time.
/// Elsewhere each file and folder is synced in turn.
pub(crate) fn sync_files(root: &Path, files: &[PathBuf]) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        let d = File::open(root).map_err(io(root))?;
        rustix::fs::syncfs(&d).map_err(|e| Error::Io {
            path: root.to_path_buf(),
            source: e.into(),
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = root;
        let mut dirs = BTreeSet::new();
        for p in files {
            File::open(p).and_then(|f| f.sync_all()).map_err(io(p))?;
            if let Some(d) = p.parent() {
                dirs.insert(d.to_path_buf());
            }
        }
        for d in &dirs {
            sync_dir(d)?;
        }
        Ok(())
    }
}

/// A change to the warehouse: the next snapshot, and the files written for
/// it. Dropping it without `commit` deletes those files.
#[derive(Debug)]
pub struct Txn {
    root: PathBuf,
    base: Snapshot,
    next: Snapshot,
    tag: String,
    written: Vec<PathBuf>,
    committed: bool,
}

impl Txn {
    /// Starts a change on the current snapshot; the caller holds the [`Lock`].
    pub fn begin(root: &Path, lock: &Lock) -> Result<Txn> {
        Txn::begin_at(root, lock, Snapshot::load(root)?)
    }

    /// [`Txn::begin`] on a snapshot already loaded under the same lock (the
    /// one `benchmark` computed from), so it is not read twice.
    pub fn begin_at(root: &Path, _lock: &Lock, base: Snapshot) -> Result<Txn> {
        let mut next = base.clone();
        next.version = base.version + 1;
        if !next.manifest.is_object() {
            next.manifest = serde_json::json!({});
        }
        next.manifest["tool"] = serde_json::json!(crate::TOOL);
        Ok(Txn {
            root: root.to_path_buf(),
            base,
            next,
            tag: std::process::id().to_string(),
            written: Vec::new(),
            committed: false,
        })
    }

    /// The snapshot this change starts from (what to read).
    pub fn base(&self) -> &Snapshot {
        &self.base
    }

    /// A new file to write the new content of `logical` to (parents created).
    pub fn path_for(&mut self, logical: &str) -> Result<PathBuf> {
        let rel = snapshot::physical_name(logical, self.next.version, &self.tag);
        let p = self.root.join(&rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        self.next.files.insert(logical.to_string(), rel);
        self.written.push(p.clone());
        Ok(p)
    }

    /// Writes `bytes` as the new content of `logical`.
    pub fn write(&mut self, logical: &str, bytes: &[u8]) -> Result<()> {
        let p = self.path_for(logical)?;
        fs::write(&p, bytes).map_err(io(&p))
    }

    /// The manifest of the next snapshot, to change.
    pub fn manifest_mut(&mut self) -> &mut serde_json::Value {
        &mut self.next.manifest
    }

    /// Marks the warehouse as holding synthetic data (for good).
    pub fn set_synthetic(&mut self) {
        self.next.synthetic = true;
    }

    /// Makes the change the warehouse's state: syncs the new files, then
    /// renames the new snapshot into place (the commit point), then removes
    /// files no recent snapshot lists. Returns the new version.
    pub fn commit(mut self) -> Result<u64> {
        fail_point("commit:files-written");
        sync_files(&self.root, &self.written)?;
        fail_point("commit:synced");
        let snaps = self.root.join(snapshot::DIR);
        fs::create_dir_all(&snaps).map_err(io(&snaps))?;
        let version = self.next.version;
        let tmp = snaps.join(format!(".tmp-{version}-{}.json", self.tag));
        let text = serde_json::to_string_pretty(&self.next).map_err(|e| Error::Corrupt {
            path: tmp.clone(),
            message: format!("cannot write the snapshot: {e}"),
        })?;
        fs::write(&tmp, text).map_err(io(&tmp))?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io(&tmp))?;
        fail_point("commit:snapshot-written");
        let path = snaps.join(snapshot::file_name(version));
        if path.exists() {
            // Only possible if two writers ran at once, which the lock prevents.
            return Err(Error::Corrupt {
                path,
                message: "another run committed this version; run again".into(),
            });
        }
        fs::rename(&tmp, &path).map_err(io(&path))?;
        // The commit point: from here the new snapshot is the warehouse.
        self.committed = true;
        fail_point("commit:renamed");
        sync_dir(&snaps)?;
        vacuum(&self.root, "commit")?;
        refresh_rejects_copy(&self.root)?;
        fail_point("commit:done");
        Ok(version)
    }
}

impl Drop for Txn {
    fn drop(&mut self) {
        if !self.committed {
            for p in &self.written {
                let _ = fs::remove_file(p);
            }
        }
    }
}
