//! The language server's answers never panic: every example, cut off at
//! many points (so most versions do not parse), is analysed, and hover,
//! completion, symbols, rename and formatting are asked at every character.

use std::path::{Path, PathBuf};
use wharf::driver::{Disk, Overlay};
use wharf::lsp::{complete, format, hover, rename, symbols, Analysis};

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wharf"))
        .collect();
    v.sort();
    v
}

#[test]
fn answers_at_every_position_of_cut_examples() {
    let stdlib_dir = std::env::temp_dir().join(format!("wharf-lsp-robust-{}", std::process::id()));
    std::fs::create_dir_all(&stdlib_dir).unwrap();
    let mut asked = 0;
    for path in examples() {
        let full = std::fs::read_to_string(&path).unwrap();
        let cuts: Vec<usize> = (0..=8)
            .map(|i| full.len() * i / 8)
            .filter(|&c| full.is_char_boundary(c))
            .collect();
        for cut in cuts {
            let text = format!("{}\n}} ]] \"x", &full[..cut]);
            for doc in [&full[..cut], text.as_str()] {
                let mut fs = Overlay::new(Disk);
                fs.top.insert(&path, doc);
                let a = Analysis::new(&path, &fs, &Default::default(), &stdlib_dir);
                let file = a.file_of(&path).expect("the document is loaded");
                let _ = symbols(&a, file);
                let _ = format(doc);
                for (offset, _) in doc.char_indices().step_by(3) {
                    let _ = hover(&a, file, offset);
                    let _ = complete(Some(&a), Some(file), doc, offset);
                    let _ = rename(&a, file, offset, "renamed");
                    asked += 1;
                }
            }
        }
    }
    assert!(asked > 10_000, "asked {asked} times");
}
