#![forbid(unsafe_code)]
//! mockexam: realistic timed certification mock exams.

pub mod accounts;
pub mod app;
pub mod bank;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod error;
pub mod mail;
pub mod markdown;
pub mod overload;
pub mod password;
pub mod state;
pub mod static_files;
pub mod sweeper;
pub mod types;
pub mod web;
