"""One module per document; ``style`` holds the layout shared by all of them."""
