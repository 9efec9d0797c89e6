//! Decision briefs (in progress).
