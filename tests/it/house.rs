//! House rules, checked on the source itself (ARCHITECTURE.md, "Invariants"):
//! no function under `src/` runs past 200 lines (test modules aside, whatever
//! feature gates it); no subcommand file imports another subcommand's file;
//! no two files under `src/` import each other.
//!
//! Files are parsed with `syn`; a file "imports" another when one of its paths
//! (`use` or inline, `crate::`, `super::` or `self::`) resolves to an item
//! defined in that other file or below it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

const MAX_FN_LINES: usize = 200;

/// Every `.rs` file under `src/`, with its module path (`["io", "households"]`).
fn source_files() -> Vec<(PathBuf, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&root).unwrap().with_extension("");
                let mut module: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                    module.pop();
                }
                if module == ["main"] {
                    module = vec!["<main>".into()];
                }
                out.push((path, module));
            }
        }
    }
    out.sort();
    out
}

fn is_test_module(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string().contains("test"))
    })
}

/// Functions (free, in impls, in traits) with their line counts.
struct Functions {
    found: Vec<(String, usize)>,
}

impl Functions {
    fn record(&mut self, name: String, span: proc_macro2::Span) {
        let lines = span.end().line - span.start().line + 1;
        self.found.push((name, lines));
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_module(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        use syn::spanned::Spanned;
        self.record(f.sig.ident.to_string(), f.span());
        syn::visit::visit_item_fn(self, f);
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        use syn::spanned::Spanned;
        self.record(f.sig.ident.to_string(), f.span());
        syn::visit::visit_impl_item_fn(self, f);
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        use syn::spanned::Spanned;
        if f.default.is_some() {
            self.record(f.sig.ident.to_string(), f.span());
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap();
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn no_function_runs_past_200_lines() {
    let mut long = Vec::new();
    for (path, _) in source_files() {
        let mut v = Functions { found: Vec::new() };
        v.visit_file(&parse(&path));
        for (name, lines) in v.found {
            if lines > MAX_FN_LINES {
                long.push(format!("{}::{name}: {lines} lines", path.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions past {MAX_FN_LINES} lines (split them into named steps):\n{}",
        long.join("\n")
    );
}

/// Paths written in a file (`use` trees flattened, and every inline path).
struct Paths {
    found: Vec<Vec<String>>,
}

impl Paths {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix.clone();
                path.push(n.ident.to_string());
                self.found.push(path);
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                self.found.push(path);
            }
            syn::UseTree::Glob(_) => self.found.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_module(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.found
            .push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }
}

/// The file a path written in module `from` lands in, if it is one of ours
/// (longest module prefix that is a file).
fn resolve(
    from: &[String],
    path: &[String],
    modules: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<PathBuf> {
    let mut abs: Vec<String> = match path.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("catchment") if from == ["<main>"] => Vec::new(),
        Some("super") => {
            let mut base = from.to_vec();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            let mut abs = base;
            abs.extend(rest.iter().cloned());
            return longest(abs, modules);
        }
        Some("self") => from.to_vec(),
        _ => return None,
    };
    abs.extend(path[1..].iter().cloned());
    longest(abs, modules)
}

fn longest(mut abs: Vec<String>, modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    while !abs.is_empty() {
        if let Some(file) = modules.get(&abs) {
            return Some(file.clone());
        }
        abs.pop();
    }
    None
}

/// Which files each file imports (itself and `lib.rs` left out).
fn import_graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let files = source_files();
    let modules: BTreeMap<Vec<String>, PathBuf> =
        files.iter().map(|(p, m)| (m.clone(), p.clone())).collect();
    let mut graph = BTreeMap::new();
    for (path, module) in &files {
        let mut v = Paths { found: Vec::new() };
        v.visit_file(&parse(path));
        let targets: BTreeSet<PathBuf> = v
            .found
            .iter()
            .filter_map(|p| resolve(module, p, &modules))
            .filter(|t| t != path && !t.ends_with("src/lib.rs"))
            .collect();
        graph.insert(path.clone(), targets);
    }
    graph
}

#[test]
fn no_two_files_import_each_other() {
    let graph = import_graph();
    let mut pairs = Vec::new();
    for (a, targets) in &graph {
        for b in targets {
            if a < b && graph.get(b).is_some_and(|t| t.contains(a)) {
                pairs.push(format!("{} <-> {}", a.display(), b.display()));
            }
        }
    }
    assert!(
        pairs.is_empty(),
        "files that import each other:\n{}",
        pairs.join("\n")
    );
}

#[test]
fn no_subcommand_imports_another() {
    let graph = import_graph();
    let cmd = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cmd");
    // Files under src/cmd/ that are not subcommands: shared input flags and
    // helpers, and how every command speaks (streams, verbosity, spinner).
    let shared = ["mod.rs", "inputs.rs", "say.rs"];
    let is_subcommand = |p: &Path| {
        p.parent() == Some(cmd.as_path())
            && !shared
                .iter()
                .any(|s| p.file_name().is_some_and(|f| f == *s))
    };
    let mut bad = Vec::new();
    for (a, targets) in &graph {
        if !is_subcommand(a) {
            continue;
        }
        for b in targets.iter().filter(|b| is_subcommand(b)) {
            bad.push(format!("{} imports {}", a.display(), b.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "subcommands importing subcommands:\n{}",
        bad.join("\n")
    );
}
