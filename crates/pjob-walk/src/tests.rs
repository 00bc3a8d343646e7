use std::fs;
use std::os::unix::fs::symlink;

use super::*;

/// A scratch folder with files written under it.
struct Tree(tempfile::TempDir);

impl Tree {
    fn new() -> Tree {
        Tree(tempfile::tempdir().unwrap())
    }

    fn root(&self) -> &Path {
        self.0.path()
    }

    fn file(&self, rel: &str, content: &str) -> PathBuf {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
        path
    }

    fn link(&self, target: impl AsRef<Path>, rel: &str) {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(target, path).unwrap();
    }

    fn list(&self) -> Listing {
        Walker::new(self.root()).list().unwrap()
    }
}

fn files(listing: &Listing) -> Vec<&str> {
    listing.files.iter().map(|f| f.relative.as_str()).collect()
}

/// (relative path, reason) of each skipped entry, the reason as its variant's name.
fn skipped(listing: &Listing) -> Vec<(&str, &'static str)> {
    listing
        .skipped
        .iter()
        .map(|s| {
            let reason = match s.reason {
                SkipReason::FolderLink { .. } => "folder link",
                SkipReason::LeavesRoot { .. } => "leaves root",
                SkipReason::Broken { .. } => "broken",
                SkipReason::NotAFile => "not a file",
            };
            (s.relative.as_str(), reason)
        })
        .collect()
}

#[test]
fn files_come_sorted_by_name_at_each_level_with_slash_separated_paths() {
    let tree = Tree::new();
    for rel in ["sub/deeper/y.py", "b-a.py", "b/x.py", "a.txt", "Z.txt", "sub/a.py"] {
        tree.file(rel, rel);
    }
    let listing = tree.list();
    assert_eq!(files(&listing), ["Z.txt", "a.txt", "b/x.py", "b-a.py", "sub/a.py", "sub/deeper/y.py"]);
    for file in &listing.files {
        assert!(file.path.is_absolute(), "{}", file.path.display());
        assert_eq!(file.path, tree.root().join(&file.relative));
        assert_eq!(fs::read_to_string(&file.path).unwrap(), file.relative);
        assert_eq!(file.metadata().unwrap().len(), file.relative.len() as u64);
        assert!(file.link.is_none());
    }
    assert!(listing.skipped.is_empty());
}

#[test]
fn self_links_are_not_followed_so_each_file_is_listed_once() {
    let tree = Tree::new();
    tree.file("f.txt", "f");
    tree.file("sub/g.txt", "g");
    tree.link(".", "a");
    tree.link(".", "b");
    tree.link("..", "sub/up");
    tree.link(tree.root(), "sub/root");
    let listing = tree.list();
    assert_eq!(files(&listing), ["f.txt", "sub/g.txt"]);
    let expected = [("a", "folder link"), ("b", "folder link"), ("sub/root", "folder link"), ("sub/up", "folder link")];
    assert_eq!(skipped(&listing), expected);
}

#[test]
fn a_ladder_of_links_stays_linear() {
    // Each level links twice to the next: following links would list 2^12 copies of the file.
    let tree = Tree::new();
    tree.file("l12/file.txt", "x");
    for level in 0..12 {
        for name in ["a", "b"] {
            tree.link(format!("../l{}", level + 1), &format!("l{level}/{name}"));
        }
    }
    let listing = tree.list();
    assert_eq!(files(&listing), ["l12/file.txt"]);
    assert_eq!(listing.skipped.len(), 24);
}

#[test]
fn links_inside_the_root_to_files_are_listed_under_their_own_name() {
    let tree = Tree::new();
    let main = tree.file("main.py", "main");
    tree.file("pkg/a.py", "a");
    tree.link("main.py", "alias.py");
    tree.link("../main.py", "pkg/main_link.py");
    tree.link("pkg", "pkg2");
    let listing = tree.list();
    assert_eq!(files(&listing), ["alias.py", "main.py", "pkg/a.py", "pkg/main_link.py"]);
    let alias = &listing.files[0];
    let resolved = fs::canonicalize(main).unwrap();
    assert_eq!(alias.link.as_deref(), Some(resolved.as_path()));
    assert_eq!(alias.path, resolved);
    assert!(alias.metadata().unwrap().is_file());
    assert_eq!(fs::read_to_string(&alias.path).unwrap(), "main");
    assert_eq!(skipped(&listing), [("pkg2", "folder link")]);
}

#[test]
fn links_to_a_folder_outside_are_not_read() {
    let tree = Tree::new();
    let outside = Tree::new();
    outside.file("secret/key.txt", "secret");
    tree.file("in.txt", "in");
    tree.link(outside.root().join("secret"), "data");
    tree.link(outside.root(), "everything");
    let listing = tree.list();
    assert_eq!(files(&listing), ["in.txt"]);
    assert_eq!(skipped(&listing), [("data", "leaves root"), ("everything", "leaves root")]);
    let SkipReason::LeavesRoot { target, root } = &listing.skipped[0].reason else { unreachable!() };
    assert_eq!(target, &fs::canonicalize(outside.root().join("secret")).unwrap());
    assert_eq!(root, &fs::canonicalize(tree.root()).unwrap());
}

#[test]
fn links_to_a_file_outside_are_not_read() {
    let tree = Tree::new();
    let outside = Tree::new();
    outside.file("secret.txt", "secret");
    tree.link("/etc/passwd", "pw");
    tree.link(outside.root().join("secret.txt"), "sub/secret.txt");
    let listing = tree.list();
    assert!(listing.files.is_empty(), "{:?}", files(&listing));
    assert_eq!(skipped(&listing), [("pw", "leaves root"), ("sub/secret.txt", "leaves root")]);
    let err = tree.list().refuse_skipped().unwrap_err();
    assert!(matches!(&err, WalkError::NotFollowed(s) if s.relative == "pw"), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&format!("{}/pw", tree.root().display())) && message.contains("/etc/passwd"), "{message}");
}

#[test]
fn dangling_links_and_loops_of_links_are_reported() {
    let tree = Tree::new();
    tree.file("ok.txt", "ok");
    tree.link("nowhere.txt", "dangling.txt");
    tree.link("y", "x");
    tree.link("x", "y");
    let listing = tree.list();
    assert_eq!(files(&listing), ["ok.txt"]);
    assert_eq!(skipped(&listing), [("dangling.txt", "broken"), ("x", "broken"), ("y", "broken")]);
    assert!(listing.skipped[0].to_string().contains("dangling.txt"), "{}", listing.skipped[0]);
}

#[test]
fn sockets_are_not_files() {
    let tree = Tree::new();
    let _listener = std::os::unix::net::UnixListener::bind(tree.root().join("sock")).unwrap();
    tree.link("sock", "sock-link");
    let listing = tree.list();
    assert!(listing.files.is_empty());
    assert_eq!(skipped(&listing), [("sock", "not a file"), ("sock-link", "not a file")]);
}

#[test]
fn a_name_that_is_not_utf8_is_an_error_naming_it() {
    use std::os::unix::ffi::OsStrExt;
    let tree = Tree::new();
    tree.file("a.txt", "a");
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9");
    fs::create_dir(tree.root().join(bad)).unwrap();
    fs::write(tree.root().join(bad).join("inner.txt"), "x").unwrap();
    fs::write(tree.root().join("z.txt"), "z").unwrap();

    let found: Vec<Result<Found, WalkError>> = Walker::new(tree.root()).walk().unwrap().collect();
    // The folder is reported once, and nothing below it is read.
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(matches!(&found[0], Ok(Found::File(f)) if f.relative == "a.txt"));
    let Err(WalkError::NonUtf8Name { path }) = &found[1] else { panic!("{:?}", found[1]) };
    assert_eq!(path, &tree.root().join(bad));
    assert!(matches!(&found[2], Ok(Found::File(f)) if f.relative == "z.txt"));

    let err = Walker::new(tree.root()).list().unwrap_err();
    assert!(err.to_string().contains("caf\u{fffd}") && err.to_string().contains("not valid UTF-8"), "{err}");
}

#[test]
fn folders_can_be_skipped_by_name() {
    let tree = Tree::new();
    for rel in [".git/config.yaml", "target/x.yaml", "node_modules/m/y.yaml", "app/target.yaml", "app/.hidden.yaml", "app/job.yaml"] {
        tree.file(rel, rel);
    }
    let listing =
        Walker::new(tree.root()).skip_folders(|name| name.starts_with('.') || name == "target" || name == "node_modules").list().unwrap();
    assert_eq!(files(&listing), ["app/.hidden.yaml", "app/job.yaml", "app/target.yaml"]);
}

#[test]
fn the_root_may_be_a_link_and_must_be_a_folder() {
    let tree = Tree::new();
    tree.file("real/a.txt", "a");
    tree.link("a.txt", "real/b.txt");
    tree.link("real", "root-link");
    let listing = Walker::new(tree.root().join("root-link")).list().unwrap();
    assert_eq!(files(&listing), ["a.txt", "b.txt"]);
    assert_eq!(listing.files[0].path, tree.root().join("root-link/a.txt"));

    let file = tree.file("plain.txt", "p");
    assert!(matches!(Walker::new(&file).walk(), Err(WalkError::NotAFolder { .. })));
    let Err(err) = Walker::new(tree.root().join("missing")).walk() else { panic!("a missing root walks") };
    assert!(matches!(err, WalkError::Io { .. }) && err.to_string().contains("missing"), "{err}");
}
