-- PostGIS first: every later migration uses its types. The server checks the version (>= 3.3) after this.
CREATE EXTENSION IF NOT EXISTS postgis;
