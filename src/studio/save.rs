//! What a save writes, as bytes: the files `plan --out` writes for the
//! session's state, `pins.csv` (every pin, with its level) and a
//! `scenario.toml` that `catchment plan --config` reproduces the state
//! with: the session's inputs by absolute path, its pins, and the
//! scenario's edits followed by the session's. Pure: the server reads the
//! original scenario text and writes the files.

use super::state::{Studio, StudioError};
use crate::io::InputPaths;
use crate::io::pins::pins_csv;
use crate::model::Level;
use crate::plan::files::plan_files;
use std::path::Path;

/// The files of a save, in the order `plan` lists them, then `pins.csv`
/// and `scenario.toml`. `inputs`: the session's input paths made absolute;
/// `original`: the text of the scenario file it was loaded from, if any.
pub fn save_files(
    studio: &Studio,
    inputs: &InputPaths,
    original: Option<&str>,
    timings: serde_json::Value,
) -> Result<Vec<(String, Vec<u8>)>, StudioError> {
    let loaded = studio.loaded();
    let levels = studio.levels();
    let mut files = plan_files(loaded, &levels, studio.planner().settings().stability);
    files.push((
        "timings.json".into(),
        format!(
            "{}\n",
            serde_json::to_string_pretty(&timings).expect("json")
        )
        .into_bytes(),
    ));
    files.push(("pins.csv".into(), pins_file(studio).into_bytes()));
    files.push((
        "scenario.toml".into(),
        scenario_toml(studio, inputs, original)?.into_bytes(),
    ));
    Ok(files)
}

/// Every pin of the session, level by level, in unit order.
fn pins_file(studio: &Studio) -> String {
    let loaded = studio.loaded();
    let pins = Level::ALL.into_iter().flat_map(|level| {
        loaded.pins[level.index()]
            .iter()
            .enumerate()
            .filter_map(move |(i, j)| {
                j.map(|j| {
                    (
                        loaded.units[i].id.as_str(),
                        loaded.schools[j].id.as_str(),
                        level,
                    )
                })
            })
    });
    pins_csv(pins)
}

/// The scenario the state replays from: the original's keys, `[inputs]`
/// by absolute path with `pins = "pins.csv"`, the entry year planned, and
/// `[[edit]]` the original's then the session's.
fn scenario_toml(
    studio: &Studio,
    inputs: &InputPaths,
    original: Option<&str>,
) -> Result<String, StudioError> {
    let mut doc: toml::Table = match original {
        Some(text) => text.parse().map_err(|e| {
            StudioError::Internal(format!("the scenario file no longer reads as TOML: {e}"))
        })?,
        None => toml::Table::new(),
    };
    let mut t = toml::Table::new();
    for (key, p) in inputs.named() {
        if let (Some(p), false) = (p, key == "pins") {
            t.insert(key.into(), toml::Value::String(path_text(p)));
        }
    }
    t.insert("pins".into(), toml::Value::String("pins.csv".into()));
    if let Some(c) = inputs.coords {
        t.insert("coords".into(), toml::Value::String(c.as_str().into()));
    }
    doc.insert("inputs".into(), toml::Value::Table(t));
    let policy = doc
        .entry("policy")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(p) = policy.as_table_mut() {
        p.insert(
            "entry_year".into(),
            toml::Value::Integer(studio.loaded().scenario.policy.entry_year.into()),
        );
    }
    let mut edits = match doc.remove("edit") {
        Some(toml::Value::Array(a)) => a,
        _ => Vec::new(),
    };
    for table in studio.edit_tables() {
        edits.push(
            toml::Value::try_from(table).map_err(|e| {
                StudioError::Internal(format!("an edit does not write as TOML: {e}"))
            })?,
        );
    }
    if !edits.is_empty() {
        doc.insert("edit".into(), toml::Value::Array(edits));
    }
    let body = toml::to_string(&doc)
        .map_err(|e| StudioError::Internal(format!("the scenario does not write as TOML: {e}")))?;
    Ok(format!(
        "# Saved by `catchment serve`: `catchment plan --config scenario.toml` plans\n\
         # this state again (the inputs by absolute path, the pins in pins.csv,\n\
         # the scenario's edits and then the session's).\n{body}"
    ))
}

/// A path as TOML text (`/` separators kept as the platform gives them).
fn path_text(p: &Path) -> String {
    p.display().to_string()
}
