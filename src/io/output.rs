//! Writing outputs so that nothing is ever half-written: every file is
//! produced first (in memory, or already on disk under a hidden temporary
//! name in the output folder when [`Staged::spilling`]), and only renamed
//! into place when the whole run has succeeded.

use std::path::{Path, PathBuf};

/// Files of one run, staged until [`Staged::commit`]: in memory, or
/// (`spilling`) each written at once to a hidden temporary file beside its
/// final name, so a province's outputs (a gigabyte and more) are not all
/// held in memory at once. Temporary files left when a run fails are
/// removed when the `Staged` is dropped.
#[derive(Default)]
pub struct Staged {
    files: Vec<(PathBuf, Vec<u8>)>,
    csv_bom: bool,
    /// The output folder the files are spilled to, if any.
    spill: Option<PathBuf>,
    /// Spilled so far: (final path, temporary path).
    spilled: Vec<(PathBuf, PathBuf)>,
    /// The first failure to spill, reported by `commit`.
    spill_error: Option<std::io::Error>,
}

/// The UTF-8 byte-order mark: Excel reads a CSV as UTF-8 only after it
/// (without it, Chinese text shows as garbage).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where `rel` is written under `dir`, and the hidden temporary name it is
/// written to first.
fn paths(dir: &Path, rel: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let path = dir.join(rel);
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}.tmp{}", std::process::id()));
    Ok((path, tmp))
}

impl Staged {
    /// Files written to hidden temporary names under `dir` as they are
    /// added (renamed by [`Staged::commit`]); for outputs too big to hold.
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
        let Some(dir) = &self.spill else {
            self.files.push((rel, bytes));
            return;
        };
        if self.spill_error.is_some() {
            return;
        }
        let bom = self.wants_bom(&rel, &bytes);
        let written = paths(dir, &rel).and_then(|(path, tmp)| {
            self.spilled.push((path, tmp.clone()));
            write_file(&tmp, bom, &bytes)
        });
        if let Err(e) = written {
            self.spill_error = Some(e);
        }
        // Only the name is kept.
        self.files.push((rel, Vec::new()));
    }

    pub fn names(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Write every staged file under `dir`: each to a temporary file that
    /// is then renamed, so a reader never sees a partial file. (Spilled
    /// files are already written under the folder given to `spilling`:
    /// they are renamed.)
    pub fn commit(mut self, dir: &Path) -> std::io::Result<()> {
        if let Some(e) = self.spill_error.take() {
            return Err(e);
        }
        let mut moves = std::mem::take(&mut self.spilled);
        for (rel, bytes) in &self.files {
            if self.spill.is_some() {
                continue;
            }
            let (path, tmp) = paths(dir, rel)?;
            moves.push((path, tmp.clone()));
            if let Err(e) = write_file(&tmp, self.wants_bom(rel, bytes), bytes) {
                self.spilled = moves;
                return Err(e);
            }
        }
        for (i, (path, tmp)) in moves.iter().enumerate() {
            if let Err(e) = std::fs::rename(tmp, path) {
                // The ones not renamed are removed (on drop).
                self.spilled = moves[i..].to_vec();
                return Err(e);
            }
        }
        Ok(())
    }
}

fn write_file(tmp: &Path, bom: bool, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(tmp)?;
    if bom {
        f.write_all(UTF8_BOM)?;
    }
    f.write_all(bytes)
}

impl Drop for Staged {
    /// Temporary files of a run that did not commit are removed.
    fn drop(&mut self) {
        for (_, tmp) in &self.spilled {
            let _ = std::fs::remove_file(tmp);
        }
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
mod tests {
    use super::*;

    #[test]
    fn bom_only_on_csv_files_when_asked() {
        let write = |bom: bool| {
            let dir = tempfile::tempdir().expect("dir");
            let mut s = Staged::default();
            s.set_csv_bom(bom);
            s.add("a.csv", "x,村\n");
            s.add("sub/b.CSV", "y\n");
            s.add("c.json", "{}\n");
            s.add("d.csv", [UTF8_BOM, b"z\n"].concat());
            s.commit(dir.path()).expect("commit");
            ["a.csv", "sub/b.CSV", "c.json", "d.csv"]
                .map(|f| std::fs::read(dir.path().join(f)).expect("read"))
        };
        let plain = write(false);
        let excel = write(true);
        assert_eq!(plain[0], "x,村\n".as_bytes());
        assert_eq!(excel[0], [UTF8_BOM, "x,村\n".as_bytes()].concat());
        assert_eq!(excel[1], [UTF8_BOM, b"y\n"].concat());
        assert_eq!(excel[2], plain[2]);
        // Never two marks.
        assert_eq!(excel[3], plain[3]);
    }

    #[test]
    fn spilled_files_appear_only_on_commit_and_vanish_without_it() {
        let dir = tempfile::tempdir().expect("dir");
        let listing = |d: &Path| {
            let mut names: Vec<String> = walk(d);
            names.sort();
            names
        };
        fn walk(d: &Path) -> Vec<String> {
            let mut out = Vec::new();
            for e in std::fs::read_dir(d).expect("list").flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(walk(&p));
                } else {
                    out.push(p.file_name().unwrap().to_string_lossy().into_owned());
                }
            }
            out
        }
        let out = dir.path().join("out");
        // A run that fails before committing leaves no file behind.
        {
            let mut s = Staged::spilling(&out);
            s.add("a.csv", "x\n");
            s.add("maps/m.svg", "<svg/>");
            assert!(!out.join("a.csv").exists());
            assert_eq!(listing(&out).len(), 2, "hidden temporary files");
        }
        assert!(listing(&out).is_empty());
        let mut s = Staged::spilling(&out);
        s.set_csv_bom(true);
        s.add("a.csv", "x,村\n");
        s.add("maps/m.svg", "<svg/>");
        assert_eq!(s.names().count(), 2);
        s.commit(&out).expect("commit");
        assert_eq!(listing(&out), ["a.csv", "m.svg"]);
        assert_eq!(
            std::fs::read(out.join("a.csv")).unwrap(),
            [UTF8_BOM, "x,村\n".as_bytes()].concat()
        );
        assert_eq!(std::fs::read(out.join("maps/m.svg")).unwrap(), b"<svg/>");
    }
}
