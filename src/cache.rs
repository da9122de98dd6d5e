//! Bounded in-process caches of immutable data: what never changes once written (a question
//! version, a piece of bank Markdown and its sanitised HTML) is computed once per process
//! instead of once per request. Bounded by entry count; when full, an arbitrary half is dropped
//! (cheap, and immutable entries are simply read again). Every process keeps its own copy, so
//! any number of app processes stay consistent without invalidation.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

pub struct Bounded<K, V> {
    map: Mutex<HashMap<K, Arc<V>>>,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V> Bounded<K, V> {
    pub fn new(capacity: usize) -> Bounded<K, V> {
        Bounded {
            map: Mutex::new(HashMap::new()),
            capacity: capacity.max(2),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Arc<V>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get<Q>(&self, key: &Q) -> Option<Arc<V>>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().get(key).cloned()
    }

    pub fn insert(&self, key: K, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut map = self.lock();
        if map.len() >= self.capacity {
            let drop: Vec<K> = map.keys().take(self.capacity / 2).cloned().collect();
            for k in drop {
                map.remove(&k);
            }
        }
        map.insert(key, value.clone());
        value
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Values that stay valid while a revision counter has not moved (an exam's `bank_revision`):
/// one per key, replaced only by a value read at a newer revision, so concurrent reloads never
/// put an older copy back.
pub struct Revisioned<K, V> {
    map: Mutex<HashMap<K, (i64, Arc<V>)>>,
}

impl<K: Hash + Eq, V> Default for Revisioned<K, V> {
    fn default() -> Self {
        Revisioned {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq, V> Revisioned<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (i64, Arc<V>)>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value kept for `key` when it was read at `at_least` or later.
    pub fn get(&self, key: &K, at_least: i64) -> Option<Arc<V>> {
        self.lock()
            .get(key)
            .filter(|(revision, _)| *revision >= at_least)
            .map(|(_, v)| v.clone())
    }

    /// Keeps `value` (read at `revision`) unless a newer one is already kept; returns the one kept.
    pub fn offer(&self, key: K, revision: i64, value: V) -> Arc<V> {
        let mut map = self.lock();
        match map.get(&key) {
            Some((kept, v)) if *kept > revision => v.clone(),
            _ => {
                let value = Arc::new(value);
                map.insert(key, (revision, value.clone()));
                value
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revisioned_value_serves_its_revision_and_never_goes_back() {
        let c: Revisioned<&str, &str> = Revisioned::default();
        assert!(c.get(&"dp-100", 0).is_none());
        assert_eq!(*c.offer("dp-100", 3, "third"), "third");
        assert_eq!(c.get(&"dp-100", 3).as_deref(), Some(&"third"));
        assert_eq!(
            c.get(&"dp-100", 2).as_deref(),
            Some(&"third"),
            "newer is as good"
        );
        assert!(
            c.get(&"dp-100", 4).is_none(),
            "the bank moved on: read again"
        );
        // A slower reload that read revision 2 does not replace revision 3.
        assert_eq!(*c.offer("dp-100", 2, "second"), "third");
        assert_eq!(*c.offer("dp-100", 5, "fifth"), "fifth");
        assert!(c.get(&"ai-300", 0).is_none());
    }

    #[test]
    fn never_holds_more_than_its_capacity_and_keeps_serving_what_it_holds() {
        let c: Bounded<u32, u32> = Bounded::new(10);
        for i in 0..1000 {
            c.insert(i, i * 2);
            assert!(c.len() <= 10);
            assert_eq!(c.get(&i).as_deref(), Some(&(i * 2)));
        }
        assert!(!c.is_empty());
    }
}
