#![forbid(unsafe_code)]
//! mockexam: realistic timed certification mock exams.

pub mod bank;
pub mod cli;
pub mod domain;
