//! placeholder: the quotes stage is written on the extraction branch.
