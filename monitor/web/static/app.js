// polmon's page scripts: progressive enhancement only; every page works without them.
"use strict";
