//! The one mechanism that reads a statement's words: `keyword value` pairs,
//! flags and positional words, in that order. Each lowering function says
//! which keywords and flags it knows; what is left over is reported once, with
//! a "did you mean" among the known words.

use super::errors;
use super::Cx;
use crate::ast::{Expr, Statement};

pub struct Words<'a> {
    stmt: &'a Statement,
    items: Vec<&'a Expr>,
    used: Vec<bool>,
    known: Vec<&'static str>,
}

impl<'a> Words<'a> {
    pub fn new(stmt: &'a Statement) -> Words<'a> {
        let items: Vec<&Expr> = stmt.words.iter().collect();
        let used = vec![false; items.len()];
        Words {
            stmt,
            items,
            used,
            known: Vec::new(),
        }
    }

    /// Words after the first `skip` (e.g. a declaration's name).
    pub fn skip(mut self, n: usize) -> Words<'a> {
        for u in self.used.iter_mut().take(n) {
            *u = true;
        }
        self
    }

    fn find(&self, word: &str) -> Option<usize> {
        (0..self.items.len())
            .find(|&i| !self.used[i] && self.items[i].as_ident().is_some_and(|id| id.name == word))
    }

    /// `keyword value`: the value after the first unused `keyword`.
    pub fn keyword(&mut self, cx: &mut Cx, word: &'static str) -> Option<&'a Expr> {
        self.known.push(word);
        let i = self.find(word)?;
        self.used[i] = true;
        match self.items.get(i + 1) {
            Some(v) if !self.used[i + 1] => {
                self.used[i + 1] = true;
                Some(v)
            }
            _ => {
                cx.push(errors::keyword_without_value(word, self.items[i].span));
                None
            }
        }
    }

    /// A bare word that is present or not (`rollback`, `public`).
    pub fn flag(&mut self, word: &'static str) -> bool {
        self.known.push(word);
        match self.find(word) {
            Some(i) => {
                self.used[i] = true;
                true
            }
            None => false,
        }
    }

    /// The first of several flags present, e.g. a protocol among `tcp` / `udp`.
    pub fn one_of(&mut self, words: &[&'static str]) -> Option<&'static str> {
        words.iter().copied().find(|w| self.flag(w))
    }

    /// The next unused word.
    pub fn positional(&mut self) -> Option<&'a Expr> {
        let i = (0..self.items.len()).find(|&i| !self.used[i])?;
        self.used[i] = true;
        Some(self.items[i])
    }

    /// The next unused word, or an error naming what was expected.
    pub fn required(&mut self, cx: &mut Cx, what: &str) -> Option<&'a Expr> {
        let w = self.positional();
        if w.is_none() {
            let d = match &self.stmt.value {
                // `cpu = 256`: the value is there, written after `=`.
                Some(v) if self.items.is_empty() => {
                    errors::value_after_equals(&self.stmt.head.name, what, self.stmt.span, v)
                }
                _ => errors::missing_word(&self.stmt.head.name, what, self.stmt.span),
            };
            cx.push(d);
        }
        w
    }

    /// Reports every word nobody asked for. A value right after an unknown
    /// name is that name's value (`weigth 2`): reported with it, not again.
    pub fn finish(self, cx: &mut Cx) {
        let mut skip_value = false;
        for (i, e) in self.items.iter().enumerate() {
            if self.used[i] {
                skip_value = false;
                continue;
            }
            if skip_value && e.as_ident().is_none() {
                skip_value = false;
                continue;
            }
            cx.push(errors::unexpected_word(
                &self.stmt.head.name,
                e,
                &self.known,
            ));
            skip_value = e.as_ident().is_some();
        }
    }
}
