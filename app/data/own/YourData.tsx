// "Your data" in the Data section: the promise that nothing leaves the machine, the data sets kept in
// this browser (use or delete them), what using one changed in the design, and the two importers: a
// CSV/TSV table and a folder or zip of images.
import { useEffect } from 'react';
import { useDatasetsStore } from '../../store/datasets';
import { AdaptationNote } from './AdaptationNote';
import { ImageFolderCard } from './ImageFolderCard';
import { KeptDatasets } from './KeptDatasets';
import { TableCard } from './TableCard';
import './table.css';

export function YourData() {
  const refresh = useDatasetsStore((s) => s.refresh);
  const keep = useDatasetsStore((s) => s.keep);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <>
      <section className="card" aria-labelledby="your-data-heading">
        <div className="card-head">
          <h2 id="your-data-heading">Your data</h2>
          <span className="badge badge-ok">Stays on this machine</span>
        </div>
        <p className="muted">
          Your files are read and encoded in this browser tab and kept in this browser&apos;s own storage (IndexedDB),
          so a reload keeps them. Nothing is uploaded: the data never leaves your machine.
        </p>
        <KeptDatasets />
        <AdaptationNote />
      </section>
      <TableCard />
      <ImageFolderCard onKeep={(dataset) => keep(dataset, { use: true })} />
    </>
  );
}
