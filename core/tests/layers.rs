//! The core's layers import downward only (DESIGN.md, "Layers inside the
//! core"), read straight from the sources:
//!
//! - the document layer (`store/`) names no record kind and nothing above it;
//! - the record kinds (and what they stand on) never name the store;
//! - no module calls a `Store` method defined in a layer above its own (an
//!   `impl Store` block elsewhere is a dependency no `use` line shows);
//! - among the clinical modules, `scope` and `load` name no view and no view
//!   names the summary;
//! - the graph of top-level modules, and of the children of every folder
//!   module, has no circle.
//!
//! References are every `crate::`, `super::` and `self::` path in the code
//! (comments and `#[cfg(test)]` modules left out), including those inside
//! attributes such as `#[autosurgeon(with = "crate::doc::timestamp")]`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// What the record kinds may stand on, and the kinds themselves: none of
/// these files may name the store. (`safety/settings.rs` is the part of
/// `safety` above the store.)
const BESIDE_THE_STORE: &[&str] = &[
    "error.rs",
    "id.rs",
    "record.rs",
    "doc.rs",
    "observer.rs",
    "journal.rs",
    "goal.rs",
    "inventory.rs",
    "profile.rs",
    "checkin.rs",
    "rehearsal.rs",
    "note.rs",
    "kind_share.rs",
    "time_zone.rs",
    "kinds.rs",
    "safety/mod.rs",
    "safety/resource.rs",
    "safety/regions.rs",
];

/// Top-level modules those files may name.
const KIND_DEPENDENCIES: &[&str] = &[
    "error",
    "id",
    "record",
    "doc",
    "observer",
    "journal",
    "goal",
    "inventory",
    "profile",
    "checkin",
    "rehearsal",
    "note",
    "kind_share",
    "time_zone",
    "safety",
    "kinds",
];

/// Top-level modules the document layer may name besides itself (`cores`
/// spreads pure work over threads and names nothing of the crate).
const STORE_DEPENDENCIES: &[&str] = &["error", "id", "record", "doc", "observer", "store", "cores"];

/// The clinical views; `scope` and `load` sit below them.
const CLINICAL_VIEWS: &[&str] = &[
    "summary",
    "phase",
    "termination",
    "timeline",
    "markdown",
    "export",
];

/// Which layer a file's `impl Store` methods belong to; a file may call only
/// methods of its own layer or below.
fn layer(file: &str) -> u8 {
    if file.starts_with("store/") {
        1
    } else if BESIDE_THE_STORE.contains(&file) {
        2
    } else if file.starts_with("items/") || file == "safety/settings.rs" {
        3
    } else if file.starts_with("clinical/") || file.starts_with("sync/") {
        4
    } else {
        5
    }
}

struct Source {
    /// Relative to `src/`, with `/`.
    file: String,
    /// The module the file is, e.g. `["clinical", "summary", "mood"]`.
    module: Vec<String>,
    /// The code, without comments and test modules.
    code: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let file = path
                .strip_prefix(&root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = fs::read_to_string(&path).expect("a readable source file");
            Source {
                module: module_of(&file),
                code: strip(&text),
                file,
            }
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code without comments and without top-level `#[cfg(test)]` items
/// (tests may reach across layers).
fn strip(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line != "#[cfg(test)]" {
            kept.push_str(line);
            kept.push('\n');
            continue;
        }
        // Skip the item: one line, or a block up to its closing brace.
        let mut attrs = lines.by_ref().skip_while(|l| l.starts_with("#["));
        if attrs.next().is_some_and(|l| l.ends_with('{')) {
            attrs.find(|l| *l == "}");
        }
    }
    let chars: Vec<char> = kept.chars().collect();
    let mut out = String::with_capacity(kept.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (next == Some('#') || next == Some('"'))
            && !ident_char(prev(&chars, i))
        {
            // A raw string: kept whole, it may hold quotes and slashes.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = chars[j..].iter().collect();
            let end = rest.find(&closing).map_or(chars.len(), |n| {
                j + rest[..n].chars().count() + closing.chars().count()
            });
            out.extend(&chars[i..end]);
            i = end;
        } else if c == '"' {
            // A string: kept (attributes name paths in strings), but a `//`
            // in it is not a comment.
            out.push(c);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(chars[i]);
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    out.push(ch);
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A character literal such as '"' or '\'' (not a lifetime).
            let from = if next == Some('\\') { i + 3 } else { i + 2 };
            i = (from..chars.len())
                .find(|&j| chars[j] == '\'')
                .map_or(chars.len(), |j| j + 1);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev(chars: &[char], i: usize) -> char {
    if i == 0 { ' ' } else { chars[i - 1] }
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every module path a file names: `crate::a::b`, `super::x`, `self::y`,
/// with `use` groups (`crate::{a, b::c}`) expanded.
fn references(source: &Source) -> Vec<Vec<String>> {
    let chars: Vec<char> = source.code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if ident_char(prev(&chars, i)) || prev(&chars, i) == ':' {
            i += 1;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 7)].iter().collect();
        let (mut base, skip) = if rest.starts_with("crate::") {
            (Vec::new(), 7)
        } else if rest.starts_with("super::") {
            (parent(&source.module), 7)
        } else if rest.starts_with("self::") {
            (source.module.clone(), 6)
        } else {
            i += 1;
            continue;
        };
        let mut j = i + skip;
        // `super::super::…`
        while chars[j..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
            base = parent(&base);
            j += 7;
        }
        let (paths, end) = tree(&chars, j);
        for path in paths {
            let mut full = base.clone();
            full.extend(path);
            out.push(full);
        }
        i = end.max(i + 1);
    }
    out
}

fn parent(module: &[String]) -> Vec<String> {
    module[..module.len().saturating_sub(1)].to_vec()
}

/// Parses a path or a use tree at `i`: the paths it names, and where it ends.
fn tree(chars: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        if chars.get(i) == Some(&'{') {
            let mut paths = Vec::new();
            i += 1;
            loop {
                while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    i += 1;
                }
                match chars.get(i) {
                    None => break,
                    Some('}') => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
                let (inner, end) = tree(chars, i);
                for path in inner {
                    let mut full = prefix.clone();
                    full.extend(path);
                    paths.push(full);
                }
                i = end;
                // Skip `as name` and anything else up to the next item.
                while chars.get(i).is_some_and(|c| *c != ',' && *c != '}') {
                    i += 1;
                }
            }
            return (paths, i);
        }
        let start = i;
        while chars.get(i).is_some_and(|c| ident_char(*c)) {
            i += 1;
        }
        if i == start {
            return (vec![prefix], i);
        }
        let segment: String = chars[start..i].iter().collect();
        if segment != "self" {
            prefix.push(segment);
        }
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            return (vec![prefix], i);
        }
    }
}

/// The longest prefix of `path` that is a module of the crate; a name
/// re-exported at the root resolves to the module it comes from.
fn resolve(
    path: &[String],
    modules: &BTreeSet<Vec<String>>,
    root: &BTreeMap<String, String>,
) -> Vec<String> {
    if let Some(first) = path.first()
        && !modules.contains(&vec![first.clone()])
        && let Some(module) = root.get(first)
        && modules.contains(&vec![module.clone()])
    {
        return vec![module.clone()];
    }
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
        .unwrap_or_default()
}

/// Names `lib.rs` re-exports, with the module each comes from.
fn root_exports(sources: &[Source]) -> BTreeMap<String, String> {
    let lib = sources.iter().find(|s| s.file == "lib.rs").expect("lib.rs");
    let mut out = BTreeMap::new();
    for line in lib.code.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            out.insert(name.trim().to_owned(), module.to_owned());
        }
    }
    out
}

struct Crate {
    sources: Vec<Source>,
    /// Per file, the modules it names (resolved).
    names: BTreeMap<String, BTreeSet<Vec<String>>>,
}

fn read_crate() -> Crate {
    let sources = sources();
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let root = root_exports(&sources);
    let names = sources
        .iter()
        .map(|s| {
            let named = references(s)
                .iter()
                .map(|p| resolve(p, &modules, &root))
                .collect();
            (s.file.clone(), named)
        })
        .collect();
    Crate { sources, names }
}

fn top_level(module: &[String]) -> Option<&str> {
    module.first().map(String::as_str)
}

/// A circle in `edges`, if there is one.
fn find_circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_document_layer_names_no_record_kind_and_nothing_above_it() {
    let krate = read_crate();
    let mut wrong = Vec::new();
    for (file, named) in &krate.names {
        if !file.starts_with("store/") {
            continue;
        }
        for module in named {
            if let Some(top) = top_level(module)
                && !STORE_DEPENDENCIES.contains(&top)
            {
                wrong.push(format!("{file} names crate::{}", module.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "the store reaches up: {wrong:#?}");
}

#[test]
fn record_kinds_never_name_the_store() {
    let krate = read_crate();
    let mut wrong = Vec::new();
    for file in BESIDE_THE_STORE {
        let source = krate
            .sources
            .iter()
            .find(|s| s.file == *file)
            .unwrap_or_else(|| panic!("{file} is gone: update BESIDE_THE_STORE"));
        for module in &krate.names[*file] {
            let allowed = top_level(module).is_some_and(|top| KIND_DEPENDENCIES.contains(&top))
                && module.get(1).is_none_or(|m| m != "settings");
            if !allowed {
                wrong.push(format!("{file} names crate::{}", module.join("::")));
            }
        }
        if words(&source.code).any(|w| w == "Store") {
            wrong.push(format!("{file} names Store"));
        }
    }
    assert!(
        wrong.is_empty(),
        "a record kind depends on the store: {wrong:#?}"
    );
}

#[test]
fn no_module_calls_a_store_method_of_a_layer_above_it() {
    let krate = read_crate();
    // Every method of an `impl Store` block, with the file defining it
    // (inherent method names are unique per type).
    let mut defined: BTreeMap<String, String> = BTreeMap::new();
    for source in &krate.sources {
        for name in store_methods(&source.code) {
            defined.insert(name, source.file.clone());
        }
    }
    assert!(defined.contains_key("apply_batch") && defined.contains_key("open"));
    let mut wrong = Vec::new();
    for source in &krate.sources {
        for called in store_calls(&source.code) {
            if let Some(file) = defined.get(&called)
                && layer(file) > layer(&source.file)
            {
                wrong.push(format!("{} calls Store::{called} of {file}", source.file));
            }
        }
    }
    assert!(wrong.is_empty(), "a layer calls upward: {wrong:#?}");
}

#[test]
fn clinical_views_share_a_loader_and_never_import_the_summary() {
    let krate = read_crate();
    let mut wrong = Vec::new();
    for (file, named) in &krate.names {
        let Some(rest) = file.strip_prefix("clinical/") else {
            continue;
        };
        let this = rest.split(['/', '.']).next().unwrap_or_default();
        for module in named {
            let [top, child, ..] = module.as_slice() else {
                continue;
            };
            if top != "clinical" || child == this {
                continue;
            }
            let below_the_views = this == "scope" || this == "load";
            if below_the_views && CLINICAL_VIEWS.contains(&child.as_str()) {
                wrong.push(format!("{file} (below the views) names clinical::{child}"));
            }
            if child == "summary" && this != "mod" {
                wrong.push(format!("{file} names the summary"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "clinical modules import upward: {wrong:#?}"
    );
}

#[test]
fn no_circle_among_modules() {
    let krate = read_crate();
    // Top-level modules, then the children of each folder module.
    let mut folders: BTreeSet<Vec<String>> = BTreeSet::new();
    folders.insert(Vec::new());
    for source in &krate.sources {
        if source.file.ends_with("mod.rs") {
            folders.insert(source.module.clone());
        }
    }
    for folder in folders {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for source in &krate.sources {
            let Some(from) = child_of(&folder, &source.module) else {
                continue;
            };
            for module in &krate.names[&source.file] {
                if let Some(to) = child_of(&folder, module)
                    && to != from
                {
                    edges.entry(from.clone()).or_default().insert(to);
                }
            }
        }
        if let Some(circle) = find_circle(&edges) {
            panic!(
                "a circle among the modules of crate::{}: {}",
                folder.join("::"),
                circle.join(" -> ")
            );
        }
    }
}

/// The child of `folder` that `module` is in, if it is below it (the folder
/// itself, its `mod.rs`, is no child: it declares and re-exports them all).
fn child_of(folder: &[String], module: &[String]) -> Option<String> {
    if module.len() > folder.len() && module.starts_with(folder) {
        Some(module[folder.len()].clone())
    } else {
        None
    }
}

fn words(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !ident_char(c))
        .filter(|w| !w.is_empty())
}

/// The methods of the `impl Store` blocks in `code`.
fn store_methods(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_store = false;
    for line in code.lines() {
        if line.starts_with("impl Store {") {
            in_store = true;
            continue;
        }
        if line == "}" {
            in_store = false;
        }
        if !in_store {
            continue;
        }
        let Some(def) = line.strip_prefix("    ") else {
            continue;
        };
        let def = def
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ");
        if let Some(name) = def.strip_prefix("fn ") {
            let name: String = name.chars().take_while(|c| ident_char(*c)).collect();
            out.push(name);
        }
    }
    out
}

/// Store methods `code` calls: `self.m(` inside `impl Store` blocks,
/// `store.m(` and `Store::m(` anywhere.
fn store_calls(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_store = false;
    for line in code.lines() {
        if line.starts_with("impl Store {") {
            in_store = true;
        } else if line == "}" {
            in_store = false;
        }
        let mut receivers = vec!["store.", "Store::"];
        if in_store {
            receivers.push("self.");
        }
        for receiver in receivers {
            for (at, _) in line.match_indices(receiver) {
                let before = line[..at].chars().last().unwrap_or(' ');
                if ident_char(before) {
                    continue;
                }
                let name: String = line[at + receiver.len()..]
                    .chars()
                    .take_while(|c| ident_char(*c))
                    .collect();
                if line[at + receiver.len() + name.len()..].starts_with('(') {
                    out.insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn the_reader_sees_what_it_should() {
    // The checks above are only as good as this reading of the sources.
    let krate = read_crate();
    let named =
        |file: &str| -> Vec<String> { krate.names[file].iter().map(|m| m.join("::")).collect() };
    assert!(named("store/exchange.rs").contains(&"store::local".to_owned()));
    assert!(named("clinical/summary/mood.rs").contains(&"clinical::load".to_owned()));
    assert!(
        named("journal.rs").contains(&"doc".to_owned()),
        "attributes count"
    );
    assert!(
        named("fuzz.rs").contains(&"store".to_owned()),
        "root re-exports count"
    );
    let calls = store_calls(
        &krate
            .sources
            .iter()
            .find(|s| s.file == "items/mod.rs")
            .expect("items")
            .code,
    );
    assert!(calls.contains("insert_document") && calls.contains("open_with"));
}
