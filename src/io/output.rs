//! Writing outputs all or nothing. Every output of a run is written into
//! one hidden staging folder beside `--out` (`<parent>/.<name>.staging-
//! <pid>-<n>/`), in memory until the commit or, when [`Staged::spilling`],
//! as each is made; the commit then makes the staged folder current in one
//! atomic step. On Linux `renameat2(RENAME_EXCHANGE)` swaps the staging
//! folder and `--out` (which stays a real folder), and the previous set,
//! now at the staging path, is removed. After a crash at any instant,
//! `--out` holds the complete previous set or the complete new one, never
//! a mix; the next run removes staging folders left by a crashed one.
//! Elsewhere (or on a file system without the exchange) the previous
//! folder is renamed aside and the new one renamed in: a crash between the
//! two renames leaves `--out` missing, with the previous set kept beside it.
//!
//! What `--out` held that this command did not write (another command's
//! files, a folder of the user's) is carried into the new set by hard
//! links (copies where a link cannot be made); what the same command wrote
//! last time and does not write now is dropped, so a stale file never sits
//! beside new ones. Each set lists its files and the command that wrote
//! them in `.catchment-outputs`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The UTF-8 byte-order mark: Excel reads a CSV as UTF-8 only after it
/// (without it, Chinese text shows as garbage).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The list of a set's files, and the command that wrote them.
pub const MANIFEST: &str = ".catchment-outputs";

/// The command whose outputs are written (for the manifest).
static RUN_NAME: Mutex<String> = Mutex::new(String::new());

/// Name the command writing outputs (`plan`, `lottery draw`): a set
/// written by the same command replaces the previous one whole; other
/// commands' files in the folder are kept.
pub fn set_run_name(name: &str) {
    *RUN_NAME.lock().unwrap_or_else(|p| p.into_inner()) = name.to_string();
}

fn run_name() -> String {
    let n = RUN_NAME.lock().unwrap_or_else(|p| p.into_inner()).clone();
    if n.is_empty() { "catchment".into() } else { n }
}

/// Files of one run, staged until [`Staged::commit`].
#[derive(Default)]
pub struct Staged {
    files: Vec<(PathBuf, Vec<u8>)>,
    csv_bom: bool,
    /// The staging folder, once made (spilling: at the first `add`).
    staging: Option<PathBuf>,
    /// The output folder the files are spilled for, if spilling.
    spill: Option<PathBuf>,
    /// The first failure to spill, reported by `commit`.
    spill_error: Option<std::io::Error>,
}

impl Staged {
    /// Files written into the staging folder as they are added (made
    /// current by [`Staged::commit`]); for outputs too big to hold.
    pub fn spilling(dir: &Path) -> Staged {
        let mut s = Staged::default();
        s.spill = Some(dir.to_path_buf());
        s
    }

    /// Start every `.csv` file with a UTF-8 byte-order mark when written
    /// (`--excel`); the files are otherwise byte-identical. (Set it before
    /// the first `add` when spilling: a spilled file is already written.)
    pub fn set_csv_bom(&mut self, on: bool) {
        self.csv_bom = on;
    }

    /// Whether `rel` gets a byte-order mark when written.
    fn wants_bom(&self, rel: &Path, bytes: &[u8]) -> bool {
        self.csv_bom
            && rel
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
            && !bytes.starts_with(UTF8_BOM)
    }

    /// Stage `bytes` at `rel` (a path under the output folder).
    pub fn add(&mut self, rel: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        let (rel, bytes) = (rel.into(), bytes.into());
        let Some(out) = self.spill.clone() else {
            self.files.push((rel, bytes));
            return;
        };
        if self.spill_error.is_none() {
            let bom = self.wants_bom(&rel, &bytes);
            let written = self
                .staging_for(&out)
                .and_then(|st| write_file(&st.join(&rel), bom, &bytes));
            if let Err(e) = written {
                self.spill_error = Some(e);
            }
        }
        // Only the name is kept.
        self.files.push((rel, Vec::new()));
    }

    pub fn names(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// The staging folder for `out`, made at the first call.
    fn staging_for(&mut self, out: &Path) -> std::io::Result<PathBuf> {
        if let Some(s) = &self.staging {
            return Ok(s.clone());
        }
        let s = new_staging(out)?;
        self.staging = Some(s.clone());
        Ok(s)
    }

    /// Make the staged files the contents of `dir`, all at once (see the
    /// module doc). On error `dir` is as it was and the staging folder is
    /// removed.
    pub fn commit(mut self, dir: &Path) -> std::io::Result<()> {
        if let Some(e) = self.spill_error.take() {
            return Err(e);
        }
        let out = real_out(dir);
        let staging = self.staging_for(&out)?;
        let files = std::mem::take(&mut self.files);
        for (k, (rel, bytes)) in files.iter().enumerate() {
            if self.spill.is_none() {
                write_file(&staging.join(rel), self.wants_bom(rel, bytes), bytes)?;
            }
            fault(&format!("file:{}", k + 1))?;
        }
        let names: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
        write_manifest(&staging, &names)?;
        carry_over(&out, &staging, &names)?;
        sync_dir(&staging);
        fault("staged")?;
        let old = swap_in(&staging, &out)?;
        // The new set is current: nothing is left to remove on drop.
        self.staging = None;
        fault("swapped")?;
        if let Some(old) = old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for Staged {
    /// The staging folder of a run that did not commit is removed.
    fn drop(&mut self) {
        if let Some(s) = &self.staging {
            let _ = std::fs::remove_dir_all(s);
        }
    }
}

/// `--out` as the folder it names: a link to a folder is followed, so the
/// swap replaces the folder and the link stays a link.
fn real_out(dir: &Path) -> PathBuf {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(dir).unwrap_or(dir.into()),
        _ => dir.to_path_buf(),
    }
}

/// A new staging folder beside `out`, after removing any left by runs
/// that are no longer running.
fn new_staging(out: &Path) -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let parent = parent_of(out);
    std::fs::create_dir_all(&parent)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    remove_stale(&parent, &name);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let s = parent.join(format!(".{name}.staging-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&s);
    std::fs::create_dir(&s)?;
    Ok(s)
}

fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Staging folders of `name` left by runs no longer running, and hidden
/// temporary files of the earlier output layer, removed.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| p != std::process::id() && !alive(p)) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Whether a process is running (Linux: its /proc entry; elsewhere, a
/// staging folder is assumed alive and kept).
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

fn write_file(path: &Path, bom: bool, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    let mut f = std::fs::File::create(path)?;
    if bom {
        f.write_all(UTF8_BOM)?;
    }
    f.write_all(bytes)?;
    f.sync_data()
}

/// The set's file list and the command that wrote it.
fn write_manifest(staging: &Path, names: &[&Path]) -> std::io::Result<()> {
    let mut text = format!("# written by `catchment {}`\n", run_name());
    for n in names {
        text.push_str(&n.to_string_lossy().replace('\\', "/"));
        text.push('\n');
    }
    write_file(&staging.join(MANIFEST), false, text.as_bytes())
}

/// The files the same command wrote to `out` last time (to drop).
fn previous_own(out: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(out.join(MANIFEST)) else {
        return Vec::new();
    };
    let mut lines = text.lines();
    let by = lines.next().unwrap_or("");
    if by != format!("# written by `catchment {}`", run_name()) {
        return Vec::new();
    }
    lines.map(str::to_string).collect()
}

/// What `out` holds that the new set does not replace and this command did
/// not write last time, linked (else copied) into the staging folder.
fn carry_over(out: &Path, staging: &Path, names: &[&Path]) -> std::io::Result<()> {
    if !out.is_dir() {
        return Ok(());
    }
    let new: Vec<String> = names
        .iter()
        .map(|n| n.to_string_lossy().replace('\\', "/"))
        .collect();
    let own = previous_own(out);
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in std::fs::read_dir(out.join(&rel))? {
            let e = e?;
            let r = rel.join(e.file_name());
            let key = r.to_string_lossy().replace('\\', "/");
            let t = e.file_type()?;
            if t.is_dir() {
                stack.push(r);
            } else if !(key == MANIFEST || new.contains(&key) || own.contains(&key)) {
                carry(&e.path(), &staging.join(&r), t.is_symlink())?;
            }
        }
    }
    Ok(())
}

/// One file carried into the new set: a hard link, else a copy.
fn carry(from: &Path, to: &Path, symlink: bool) -> std::io::Result<()> {
    if let Some(p) = to.parent() {
        std::fs::create_dir_all(p)?;
    }
    if symlink {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(std::fs::read_link(from)?, to);
    }
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
}

/// The staging folder made current as `out`; returns where the previous
/// set is now (to remove), if there was one.
fn swap_in(staging: &Path, out: &Path) -> std::io::Result<Option<PathBuf>> {
    if !out.exists() {
        std::fs::rename(staging, out)?;
        sync_dir(&parent_of(out));
        return Ok(None);
    }
    match exchange(staging, out) {
        Ok(true) => {
            sync_dir(&parent_of(out));
            return Ok(Some(staging.to_path_buf()));
        }
        Ok(false) => {}
        // The working folder (or one above it) cannot be renamed: its files
        // are replaced one by one instead.
        Err(e) if e.raw_os_error() == Some(EBUSY) => {
            file_by_file(staging, out)?;
            return Ok(Some(staging.to_path_buf()));
        }
        Err(e) => return Err(e),
    }
    // No atomic exchange here: the previous set aside, then the new in.
    let aside = PathBuf::from(format!("{}.previous", staging.display()));
    if let Err(e) = std::fs::rename(out, &aside) {
        if e.raw_os_error() == Some(EBUSY) {
            file_by_file(staging, out)?;
            return Ok(Some(staging.to_path_buf()));
        }
        return Err(e);
    }
    if let Err(e) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(&aside, out);
        return Err(e);
    }
    Ok(Some(aside))
}

/// The error a rename of a folder in use (the working folder) gives.
const EBUSY: i32 = 16;

/// The fallback where `out` itself cannot be renamed (`--out .`): each
/// file of the new set renamed into place (each file whole, the set not),
/// then this command's stale files removed and the manifest written.
fn file_by_file(staging: &Path, out: &Path) -> std::io::Result<()> {
    let own = previous_own(out);
    let manifest = std::fs::read_to_string(staging.join(MANIFEST))?;
    let names: Vec<&str> = manifest.lines().skip(1).collect();
    for n in &names {
        let to = out.join(n);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::rename(staging.join(n), to)?;
    }
    for stale in own.iter().filter(|o| !names.contains(&o.as_str())) {
        let _ = std::fs::remove_file(out.join(stale));
    }
    std::fs::rename(staging.join(MANIFEST), out.join(MANIFEST))
}

/// Write one file whole: to a hidden temporary file beside it, then
/// renamed over it (for a command whose output is one file, such as
/// `convert`, into a folder it does not own).
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let written = write_file(&tmp, false, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Swap two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`);
/// `false` where the platform or file system cannot. No crate wraps this
/// call with the exchange flag in the project's dependencies; `libc`
/// gives the raw system call.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let cs = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "a NUL in a path"))
    };
    let (a, b) = (cs(a)?, cs(b)?);
    const RENAME_EXCHANGE: libc::c_uint = 2;
    // SAFETY: both paths are NUL-terminated C strings that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Flush a folder's entries to disk (where the platform can).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// A fault injected at a named point of the commit, for the tests that
/// prove the guarantee: `CATCHMENT_COMMIT_FAULT=<point>:<kill|eio>` with
/// `<point>` one of `file:N` (after the N-th file is staged), `staged`
/// (all staged, before the swap) or `swapped` (after the swap, before the
/// previous set is removed). `kill` ends the process at once, as SIGKILL
/// would; `eio` fails the commit with an I/O error.
fn fault(point: &str) -> std::io::Result<()> {
    let Some(spec) = std::env::var_os("CATCHMENT_COMMIT_FAULT") else {
        return Ok(());
    };
    let spec = spec.to_string_lossy();
    let Some((at, what)) = spec.rsplit_once(':') else {
        return Ok(());
    };
    if at != point {
        return Ok(());
    }
    match what {
        "kill" => std::process::abort(),
        _ => Err(std::io::Error::other(format!(
            "injected fault at {point} (CATCHMENT_COMMIT_FAULT)"
        ))),
    }
}

/// Escape a CSV field (quotes only where needed).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests;
