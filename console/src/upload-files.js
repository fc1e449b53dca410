// The files a user hands the upload page, each as {file, name} (name: its path inside a chosen
// or dropped folder, else its own name). A drop may hold folders: they are walked through the
// File and Directory Entries API (webkitGetAsEntry), which every current browser has.

// The files of an <input type=file> (with webkitdirectory, each knows its path in the folder).
export function inputFiles(fileList) {
  return [...fileList].map((file) => ({ file, name: file.webkitRelativePath || file.name }));
}

// The files of a drop, folders walked. Must be called during the drop event: the browser
// empties the DataTransfer when the handler returns, so the entries are taken first.
export async function droppedFiles(dataTransfer) {
  const entries = [...dataTransfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry())
    .filter(Boolean);
  if (!entries.length) return inputFiles(dataTransfer.files);
  return (await Promise.all(entries.map(entryFiles))).flat();
}

async function entryFiles(entry) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [{ file, name: entry.fullPath.replace(/^\//, '') }];
  }
  const children = await directoryEntries(entry);
  return (await Promise.all(children.map(entryFiles))).flat();
}

// A directory's entries: readEntries answers in batches (100 in Chromium) until an empty one.
async function directoryEntries(directory) {
  const reader = directory.createReader();
  const all = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return all;
    all.push(...batch);
  }
}
