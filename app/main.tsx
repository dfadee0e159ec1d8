import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { useDatasetsStore } from './store/datasets';
import { startEngine } from './store/engine';
import './styles.css';

startEngine();
// A reload keeps the data choice (localStorage); a kept data set's arrays come back from IndexedDB.
void useDatasetsStore.getState().restoreSaved();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
