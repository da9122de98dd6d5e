//! Spaced review with Leitner boxes: a question answered wrong comes back the next day; each right
//! answer moves it to a box with a longer interval; a right answer in the top box retires it.

/// Days until a question in box `n` is due again.
pub const INTERVAL_DAYS: [i64; 5] = [1, 3, 7, 14, 30];
pub const TOP_BOX: u8 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// Put (or keep) the question in `box_no`, due after `due_in_days`.
    Schedule { box_no: u8, due_in_days: i64 },
    /// Right in the top box: no more reviews.
    Retire,
    /// Right and never scheduled: nothing to review.
    Nothing,
}

/// What one answer does to a question's place in review. `fully_right` is true only when every
/// component was right.
pub fn after_answer(current_box: Option<u8>, fully_right: bool) -> Update {
    match (current_box, fully_right) {
        (_, false) => Update::Schedule {
            box_no: 0,
            due_in_days: INTERVAL_DAYS[0],
        },
        (None, true) => Update::Nothing,
        (Some(b), true) if b >= TOP_BOX => Update::Retire,
        (Some(b), true) => {
            let next = b + 1;
            Update::Schedule {
                box_no: next,
                due_in_days: INTERVAL_DAYS[next as usize],
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wrong_goes_back_to_the_start() {
        for b in [None, Some(0), Some(2), Some(4)] {
            assert_eq!(
                after_answer(b, false),
                Update::Schedule {
                    box_no: 0,
                    due_in_days: 1
                }
            );
        }
    }

    #[test]
    fn right_climbs_the_intervals_and_retires_at_the_top() {
        let mut b = None;
        assert_eq!(after_answer(b, true), Update::Nothing);
        b = Some(0);
        let mut seen = vec![];
        loop {
            match after_answer(b, true) {
                Update::Schedule {
                    box_no,
                    due_in_days,
                } => {
                    seen.push(due_in_days);
                    b = Some(box_no);
                }
                Update::Retire => break,
                Update::Nothing => unreachable!(),
            }
        }
        assert_eq!(seen, vec![3, 7, 14, 30]);
    }

    proptest! {
        #[test]
        fn boxes_stay_in_range_and_intervals_grow(b in 0u8..=4, right in any::<bool>()) {
            match after_answer(Some(b), right) {
                Update::Schedule { box_no, due_in_days } => {
                    prop_assert!(box_no <= TOP_BOX);
                    prop_assert_eq!(due_in_days, INTERVAL_DAYS[box_no as usize]);
                    if right { prop_assert!(box_no > b); } else { prop_assert_eq!(box_no, 0); }
                }
                Update::Retire => prop_assert!(right && b == TOP_BOX),
                Update::Nothing => prop_assert!(false, "a scheduled question never becomes Nothing"),
            }
        }
    }
}
