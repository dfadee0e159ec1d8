import { useEffect, useState } from 'react';
import { EngineBadge } from './components/EngineBadge';
import { SECTIONS } from './sections';
import { ThemeSwitch } from './theme/ThemeSwitch';

function sectionFromHash(): string {
  const id = window.location.hash.replace(/^#\/?/, '');
  return SECTIONS.some((s) => s.id === id) ? id : SECTIONS[0].id;
}

export function App() {
  const [active, setActive] = useState(sectionFromHash);
  useEffect(() => {
    const onHash = () => setActive(sectionFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const section = SECTIONS.find((s) => s.id === active) ?? SECTIONS[0];
  const Panel = section.component;

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span className="brand-name">WebGPU Training Playground</span>
        </div>
        <nav aria-label="Sections">
          <div role="tablist" className="tabs">
            {SECTIONS.map((s) => (
              <a
                key={s.id}
                role="tab"
                href={`#/${s.id}`}
                aria-selected={s.id === section.id}
                aria-controls={`panel-${s.id}`}
                id={`tab-${s.id}`}
                className="tab"
              >
                {s.label}
              </a>
            ))}
          </div>
        </nav>
        <div className="topbar-end">
          <ThemeSwitch />
          <EngineBadge />
        </div>
      </header>
      <main
        id={`panel-${section.id}`}
        role="tabpanel"
        aria-labelledby={`tab-${section.id}`}
        className={section.wide ? 'content content-wide' : 'content'}
      >
        <Panel />
      </main>
    </div>
  );
}
