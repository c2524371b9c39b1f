//! placeholder: the article stage is written on the extraction branch.
