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

#[cfg(test)]
mod tests {
    use super::*;

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
