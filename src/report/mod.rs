//! Reports over a checked program: its price (`cost`) and its picture
//! (`graph`). They read only the typed IR and return values or text; the
//! command line prints them.

pub mod cost;
pub mod graph;
