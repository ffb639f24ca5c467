// Prints the size of the built extension (the budget is 2 MB).
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..', '..', 'jupyter_mlops', 'labextension', 'static');
let total = 0;
for (const name of fs.readdirSync(root)) {
  if (!name.endsWith('.map')) total += fs.statSync(path.join(root, name)).size;
}
console.log(
  `jupyter-mlops labextension: ${(total / 1024).toFixed(1)} KiB in static/ (without source maps)`
);
