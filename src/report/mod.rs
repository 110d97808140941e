//! Reports over a checked program: its price (`cost`) and its picture
//! (`graph`), and what changes between two builds (`diff`). They read only
//! the typed IR or emitted artifacts and return values or text; the
//! command line prints them.

pub mod cost;
pub mod diff;
pub mod graph;
