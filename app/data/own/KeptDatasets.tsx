// The data sets kept in this browser: name, task, rows, input shape, size and source, with Use (train on
// it; the design is fitted to it) and Delete (asks once more before anything is removed).
import type { DatasetMeta } from '../../../src/data/dataset';
import { RowActions } from '../../components/RowActions';
import { useDataStore } from '../../store/data';
import { useDatasetsStore } from '../../store/datasets';
import { formatCount, formatDataBytes } from '../format';

function taskLabel(meta: DatasetMeta): string {
  return meta.task === 'classification'
    ? `classification, ${meta.classNames.length} classes`
    : `regression of ${meta.targetNames.join(', ')}`;
}

function inputLabel(meta: DatasetMeta): string {
  return meta.kind === 'table' ? `${formatCount(meta.inputShape[0])} inputs` : meta.inputShape.join('×');
}

export function KeptDatasets() {
  const kept = useDatasetsStore((s) => s.kept);
  const listState = useDatasetsStore((s) => s.listState);
  const storeError = useDatasetsStore((s) => s.storeError);
  const use = useDatasetsStore((s) => s.use);
  const remove = useDatasetsStore((s) => s.remove);
  const inUse = useDataStore((s) => (s.choice === 'dataset' ? s.datasetId : null));

  return (
    <>
      {storeError && (
        <div className="notice notice-error" role="alert">
          <strong>{storeError.message}</strong>
          <p>{storeError.hint}</p>
        </div>
      )}
      {listState === 'ready' && kept.length === 0 && (
        <p className="muted small">No data set is kept yet. Import a table or images below and press Keep.</p>
      )}
      {kept.length > 0 && (
        <table className="limits kept-datasets" aria-label="Kept data sets">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Task</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col">Input</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {kept.map((meta) => (
              <tr key={meta.id} className={meta.id === inUse ? 'in-use' : undefined}>
                <th scope="row">
                  {meta.name}
                  <span className="muted small kept-source">from {meta.source}</span>
                </th>
                <td>{taskLabel(meta)}</td>
                <td className="num">{formatCount(meta.count)}</td>
                <td>{inputLabel(meta)}</td>
                <td className="num">{formatDataBytes(meta.bytes)}</td>
                <td className="kept-actions">
                  <RowActions
                    name={meta.name}
                    question="Delete it from this browser?"
                    onDelete={() => void remove(meta.id)}
                  >
                    {meta.id === inUse ? (
                      <span className="badge badge-ok">In use</span>
                    ) : (
                      <button type="button" aria-label={`Use ${meta.name}`} onClick={() => void use(meta.id)}>
                        Use
                      </button>
                    )}
                  </RowActions>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
