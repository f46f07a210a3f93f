"""The office's other channels, made from the same published set and the same approval as the
site: the WeChat export and its draft upload, long images. A channel never decides again: it
asks the gate (through a Publication) and refuses any article that is not public."""
