//! Multi-model regression tables (in progress).
