use super::*;

/// Every file under `d` (relative, `/`-separated), the manifest left out.
fn listing(d: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).expect("list").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != MANIFEST {
                    out.push(rel);
                }
            }
        }
    }
    let mut v = Vec::new();
    if d.exists() {
        walk(d, d, &mut v);
    }
    v.sort();
    v
}

/// Hidden entries beside `out` (staging folders).
fn hidden_beside(out: &Path) -> Vec<String> {
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

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
    let out = dir.path().join("out");
    // A run that fails before committing leaves nothing behind.
    {
        let mut s = Staged::spilling(&out);
        s.add("a.csv", "x\n");
        s.add("maps/m.svg", "<svg/>");
        assert!(!out.exists());
        assert_eq!(hidden_beside(&out).len(), 1, "one staging folder");
    }
    assert!(hidden_beside(&out).is_empty());
    let mut s = Staged::spilling(&out);
    s.set_csv_bom(true);
    s.add("a.csv", "x,村\n");
    s.add("maps/m.svg", "<svg/>");
    assert_eq!(s.names().count(), 2);
    s.commit(&out).expect("commit");
    assert_eq!(listing(&out), ["a.csv", "maps/m.svg"]);
    assert!(hidden_beside(&out).is_empty(), "{:?}", hidden_beside(&out));
    assert_eq!(
        std::fs::read(out.join("a.csv")).unwrap(),
        [UTF8_BOM, "x,村\n".as_bytes()].concat()
    );
}

#[test]
fn a_new_set_replaces_the_commands_old_one_whole_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("out");
    set_run_name("test-a");
    let mut s = Staged::default();
    s.add("a.csv", "old\n");
    s.add("stale.csv", "old\n");
    s.commit(&out).unwrap();
    // Another command's files and the user's own in the same folder.
    std::fs::create_dir_all(out.join("other")).unwrap();
    std::fs::write(out.join("other/keep.txt"), "mine").unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let mut s = Staged::default();
    s.add("a.csv", "new\n");
    s.add("b.csv", "new\n");
    s.commit(&out).unwrap();
    assert_eq!(
        listing(&out),
        ["a.csv", "b.csv", "notes.txt", "other/keep.txt"],
        "the stale file of the same command is gone; the rest is kept"
    );
    assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "new\n");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    // Another command's set keeps this one's files.
    set_run_name("test-b");
    let mut s = Staged::default();
    s.add("c.csv", "b\n");
    s.commit(&out).unwrap();
    assert!(listing(&out).contains(&"a.csv".to_string()));
    assert!(hidden_beside(&out).is_empty());
}

#[test]
fn stale_staging_of_a_dead_run_is_removed() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("out");
    // A process id no system hands out (above the Linux maximum).
    let stale = dir.path().join(".out.staging-4294967290-0");
    std::fs::create_dir_all(stale.join("maps")).unwrap();
    std::fs::write(stale.join("a.csv"), "half").unwrap();
    let mut s = Staged::default();
    s.add("a.csv", "x\n");
    s.commit(&out).unwrap();
    if cfg!(target_os = "linux") {
        assert!(!stale.exists());
    }
}
