"""一事一议筹资筹劳 (One-matter-one-discussion fund and labour raising): monitoring module."""
