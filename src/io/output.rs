//! Writing outputs so that nothing is ever half-written: every file is
//! produced in memory first, then written to a temporary name in the output
//! folder and renamed into place.

use std::path::{Path, PathBuf};

/// Files of one run, staged in memory until [`Staged::commit`].
#[derive(Default)]
pub struct Staged {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Staged {
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
            std::fs::write(&tmp, bytes)?;
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
