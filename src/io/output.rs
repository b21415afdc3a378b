//! Writing outputs so that nothing is ever half-written: every file is
//! produced in memory first, then written to a temporary name in the output
//! folder and renamed into place.

use std::path::{Path, PathBuf};

/// Files of one run, staged in memory until [`Staged::commit`].
#[derive(Default)]
pub struct Staged {
    files: Vec<(PathBuf, Vec<u8>)>,
    csv_bom: bool,
}

/// The UTF-8 byte-order mark: Excel reads a CSV as UTF-8 only after it
/// (without it, Chinese text shows as garbage).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl Staged {
    /// Start every `.csv` file with a UTF-8 byte-order mark when written
    /// (`--excel`); the files are otherwise byte-identical.
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
        self.files.push((rel.into(), bytes.into()));
    }

    pub fn names(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Write every staged file under `dir`: each to a temporary file that
    /// is then renamed, so a reader never sees a partial file.
    pub fn commit(self, dir: &Path) -> std::io::Result<()> {
        for (rel, bytes) in &self.files {
            let path = dir.join(rel);
            let parent = path.parent().unwrap_or(dir);
            std::fs::create_dir_all(parent)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let tmp = parent.join(format!(".{name}.tmp{}", std::process::id()));
            if self.wants_bom(rel, bytes) {
                std::fs::write(&tmp, [UTF8_BOM, bytes.as_slice()].concat())?;
            } else {
                std::fs::write(&tmp, bytes)?;
            }
            std::fs::rename(&tmp, &path).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })?;
        }
        Ok(())
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
}
