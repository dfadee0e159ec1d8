import { EnginePanel } from './components/EnginePanel';
import { EngineBadge } from './components/EngineBadge';

export function App() {
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span className="brand-name">WebGPU Training Playground</span>
        </div>
        <EngineBadge />
      </header>
      <main className="content">
        <section className="intro">
          <h1>Build a network, train it on your GPU, take it with you</h1>
          <p>
            Everything runs in this tab: the layers you design are compiled to WebGPU compute shaders, trained on
            data that never leaves your machine, and exported in formats other tools load.
          </p>
        </section>
        <EnginePanel />
      </main>
    </div>
  );
}
