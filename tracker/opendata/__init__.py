"""Open data mode (``OPEN_DATA=1``): the public datasets downloadable by URL, without a token, each with a dataset
page and a Frictionless Data Package, for HDX, the HXL Proxy, Quick Charts, QGIS and anyone with a URL."""
