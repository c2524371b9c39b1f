//! placeholder: the parties stage is written on the extraction branch.
